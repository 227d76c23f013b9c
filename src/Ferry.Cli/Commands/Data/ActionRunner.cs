using System.CommandLine;
using System.Text.Json;
using Ferry.Client.Data;
using Ferry.Client.Http;
using Ferry.Core.Selection;

namespace Ferry.Cli.Commands.Data;

/// <summary>
/// The dry-run / --submit flow every acting `ferry data` verb shares: the plan is computed on the server a page at a
/// time and printed; with --submit exactly that plan is carried out, every result journalled as it comes back.
/// </summary>
internal sealed class ActionRunner
{
    private readonly Option<bool> _submit = new("--submit") { Description = "Carry out the plan (without it, only print it)" };
    private readonly Option<string?> _journal = new("--journal") { Description = "Append one JSON line per item to this file as results come in" };
    private readonly Option<string?> _summary = new("--summary") { Description = "Write a JSON summary (counts per outcome, exit code) to this file" };
    private readonly Option<bool> _json = Common.JsonOption();

    public void AddTo(Command c) => c.With(_submit, _journal, _summary, _json);

    public bool Submit(ParseResult pr) => pr.GetValue(_submit);

    public async Task<int> RunAsync(ParseResult pr, string verb, Selection selection, FerryClient client, BulkAction action, CancellationToken ct)
    {
        var started = Common.Clock.GetUtcNow();
        List<DataResult> plan;
        try { plan = await action.PlanAsync(selection.DidsAsync(client, ct), ct); }
        catch (FerryApiException e) when (e.Status == 400) { throw new UsageException($"{e.ExceptionClass}: {e.Message}"); }
        var submit = Submit(pr);
        if (plan.Count == 0)
        {
            Console.Error.WriteLine($"ferry: the selection matched nothing: there is nothing to {verb}{(submit ? "; nothing was submitted" : "")}");
            return await Finish(pr, verb, submit, plan, started);
        }
        if (!submit)
        {
            Print(pr, plan);
            Console.Error.WriteLine($"ferry: plan: {Counts(plan)}; nothing changed (add --submit to carry it out)");
            return await Finish(pr, verb, false, plan, started);
        }
        Console.Error.WriteLine($"ferry: plan: {Counts(plan)}; submitting");
        await using var journal = new DataJournal(pr.GetValue(_journal), verb, TimeProvider.System);
        var asJson = pr.GetValue(_json);
        var results = await action.SubmitAsync(plan, async page =>
        {
            await journal.WriteAsync(page);
            if (!asJson) foreach (var r in page) Console.Out.WriteLine(Line(r));
        }, ct);
        if (asJson) Console.Out.WriteLine(JsonSerializer.Serialize(results, Json.Options));
        Console.Error.WriteLine($"ferry: done: {Counts(results)}");
        return await Finish(pr, verb, true, results, started);
    }

    private async Task<int> Finish(ParseResult pr, string verb, bool submitted, IReadOnlyList<DataResult> results, DateTimeOffset started)
    {
        var summary = DataSummary.Of(verb, submitted, results, started, Common.Clock.GetUtcNow());
        if (pr.GetValue(_summary) is { } path) await summary.WriteAsync(path);
        return summary.ExitCode;
    }

    private void Print(ParseResult pr, IReadOnlyList<DataResult> plan)
    {
        if (pr.GetValue(_json)) { Console.Out.WriteLine(JsonSerializer.Serialize(plan, Json.Options)); return; }
        var w = new StringWriter();
        foreach (var r in plan) w.WriteLine(Line(r));
        Console.Out.Write(w.ToString());
    }

    public static string Line(DataResult r)
    {
        var detail = r.Reason ?? (r.ExpiresAfter is not null && r.ExpiresAfter != r.ExpiresBefore ? $"expires {r.ExpiresBefore ?? "never"} -> {r.ExpiresAfter}" : "");
        return $"{r.Outcome,-8} {r.Scope}:{r.Name}  rule={r.RuleId ?? "-"}  on={r.RseExpression ?? "-"}  {detail}".TrimEnd();
    }

    public static string Counts(IReadOnlyList<DataResult> results) =>
        $"{results.Count} item(s): " + string.Join(", ", results.GroupBy(r => r.Outcome).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
}
