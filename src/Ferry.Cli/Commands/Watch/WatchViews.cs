using System.Text.Json;
using Ferry.Cli.Output;
using Ferry.Client.Http;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ferry.Cli.Commands.Watch;

/// <summary>What one poll saw: the rules still there, the ones deleted since the watch began, and the time so far.</summary>
public sealed record WatchSnapshot(IReadOnlyList<RuleProgressInfo> Rules, IReadOnlyCollection<string> Gone, TimeSpan Elapsed);

internal interface IWatchView
{
    void Show(WatchSnapshot s);
    void Finish(WatchOutcome outcome, WatchSnapshot last);
}

/// <summary>--json: one line per rule whenever its progress changed, then one result line, each a JSON object.</summary>
internal sealed class JsonLinesView(TimeProvider clock) : IWatchView
{
    private readonly Dictionary<string, RuleProgressInfo> _printed = [];
    private readonly HashSet<string> _gonePrinted = [];

    public void Show(WatchSnapshot s)
    {
        foreach (var r in s.Rules.Where(r => !_printed.TryGetValue(r.RuleId, out var before) || before != r))
        {
            _printed[r.RuleId] = r;
            var line = JsonSerializer.SerializeToNode(r, Json.Options)!.AsObject();
            line.Insert(0, "event", "progress");
            line.Insert(1, "time", clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ"));
            Console.Out.WriteLine(line.ToJsonString());
        }
        foreach (var id in s.Gone.Where(_gonePrinted.Add))
            Console.Out.WriteLine(JsonSerializer.Serialize(new { @event = "gone", time = clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), rule_id = id }));
    }

    public void Finish(WatchOutcome outcome, WatchSnapshot last) => Console.Out.WriteLine(JsonSerializer.Serialize(new
    {
        @event = "result", result = outcome.Result, exit_code = outcome.ExitCode, message = outcome.Message,
        rules = last.Rules.Count, ok = last.Rules.Count(r => r.State == "OK"), replicating = last.Rules.Count(r => r.State == "REPLICATING"),
        stuck = last.Rules.Count(r => r.State is "STUCK" or "SUSPENDED"), gone = last.Gone.Count, elapsed_seconds = Math.Round(last.Elapsed.TotalSeconds, 1),
    }));
}

/// <summary>Output to a file or pipe: a plain line per rule whenever it changed, so logs stay readable.</summary>
internal sealed class PlainLinesView : IWatchView
{
    private readonly Dictionary<string, RuleProgressInfo> _printed = [];

    public void Show(WatchSnapshot s)
    {
        foreach (var r in s.Rules.Where(r => !_printed.TryGetValue(r.RuleId, out var before) || before != r))
        {
            _printed[r.RuleId] = r;
            Console.Out.WriteLine($"{s.Elapsed:hh\\:mm\\:ss} {r.RuleId} {r.Scope}:{r.Name} {r.State} locks ok {r.LocksOkCnt} replicating {r.LocksReplicatingCnt} stuck {r.LocksStuckCnt}"
                + $" bytes {Render.Bytes(r.BytesOk)} / {Render.Bytes(r.Bytes)}");
        }
    }

    public void Finish(WatchOutcome outcome, WatchSnapshot last) => Console.Out.WriteLine($"{last.Elapsed:hh\\:mm\\:ss} {outcome.Message}");
}

/// <summary>A terminal: a live table, one bar per rule (bytes by lock state: OK green, replicating yellow, stuck red) and a total.</summary>
internal static class LiveTable
{
    public const int MaxRows = 20;

    public static IRenderable Build(WatchSnapshot s)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("RULE").AddColumn("DID").AddColumn("STATE").AddColumn(new TableColumn("PROGRESS").Width(22))
            .AddColumn(new TableColumn("LOCKS ok/rep/stuck").RightAligned()).AddColumn(new TableColumn("BYTES").RightAligned());
        // The rules that need attention first, so a long list still shows what matters.
        var shown = s.Rules.OrderBy(r => r.State switch { "STUCK" => 0, "SUSPENDED" => 1, "REPLICATING" => 2, _ => 3 })
            .ThenByDescending(r => r.Bytes - r.BytesOk).Take(MaxRows).ToList();
        foreach (var r in shown)
            table.AddRow(new Text(r.RuleId[..Math.Min(8, r.RuleId.Length)]), new Text($"{r.Scope}:{r.Name}"), new Markup(State(r.State)),
                Bar(r.BytesOk, r.BytesReplicating, r.BytesStuck, r.LocksOkCnt, r.LocksReplicatingCnt, r.LocksStuckCnt),
                new Text($"{r.LocksOkCnt}/{r.LocksReplicatingCnt}/{r.LocksStuckCnt}"), new Text(BytesText(r.BytesOk, r.Bytes)));
        if (s.Rules.Count > shown.Count)
            table.AddRow(new Text(""), new Markup($"[grey]... {s.Rules.Count - shown.Count} more[/]"), new Text(""), new Text(""), new Text(""), new Text(""));
        long ok = s.Rules.Sum(r => r.BytesOk), rep = s.Rules.Sum(r => r.BytesReplicating), stuck = s.Rules.Sum(r => r.BytesStuck);
        long lok = s.Rules.Sum(r => r.LocksOkCnt), lrep = s.Rules.Sum(r => r.LocksReplicatingCnt), lstuck = s.Rules.Sum(r => r.LocksStuckCnt);
        table.AddRow(new Markup("[bold]total[/]"), new Text($"{s.Rules.Count} rule(s), {s.Elapsed:hh\\:mm\\:ss}" + (s.Gone.Count > 0 ? $", {s.Gone.Count} deleted" : "")),
            new Markup(State(s.Rules.All(r => r.State == "OK") ? "OK" : s.Rules.Any(r => r.State == "STUCK") ? "STUCK" : "REPLICATING")),
            Bar(ok, rep, stuck, lok, lrep, lstuck), new Text($"{lok}/{lrep}/{lstuck}"), new Text(BytesText(ok, ok + rep + stuck)));
        return table;
    }

    private static string State(string state) => state switch
    {
        "OK" => "[green]OK[/]", "STUCK" => "[red]STUCK[/]", "SUSPENDED" => "[red]SUSPENDED[/]", _ => $"[yellow]{Markup.Escape(state)}[/]",
    };

    private static string BytesText(long done, long total) =>
        $"{Render.Bytes(done)} / {Render.Bytes(total)}" + (total > 0 ? $" ({100.0 * done / total:F0}%)" : "");

    /// <summary>By bytes; by lock count when the files are empty; an empty grey bar for a rule without locks.</summary>
    private static BreakdownChart Bar(long ok, long rep, long stuck, long lok, long lrep, long lstuck)
    {
        var chart = new BreakdownChart().Width(20).HideTags();
        if (ok + rep + stuck == 0) (ok, rep, stuck) = (lok, lrep, lstuck);
        if (ok + rep + stuck == 0) return chart.AddItem("none", 1, Color.Grey);
        if (ok > 0) chart.AddItem("ok", ok, Color.Green);
        if (rep > 0) chart.AddItem("replicating", rep, Color.Yellow);
        if (stuck > 0) chart.AddItem("stuck", stuck, Color.Red);
        return chart;
    }
}
