using System.CommandLine;
using Ferry.Client.Http;
using Spectre.Console;

namespace Ferry.Cli.Commands.Watch;

/// <summary>
/// `ferry rule watch ID... | --account A [--wait [--timeout DUR]] [--json]`: polls the progress of every watched rule
/// with one request per poll (Ferry's /ferry/rules/progress) and shows it until the rules settle, the wait decides, or Ctrl-C.
/// </summary>
internal static class RuleWatchCommand
{
    public static Command Build()
    {
        var ids = new Argument<string[]>("ids") { Arity = ArgumentArity.ZeroOrMore, Description = "Rule ids to watch" };
        var account = new Option<string?>("--account") { Description = "Watch every rule this account has now" };
        var wait = new Option<bool>("--wait") { Description = "Exit 0 when all are OK, 5 as soon as one is STUCK (or SUSPENDED), 4 on --timeout" };
        var timeout = new Option<string?>("--timeout") { Description = "With --wait: give up after this long, e.g. 30m" };
        var interval = new Option<string>("--interval") { Description = "Time between polls", DefaultValueFactory = _ => "2s" };
        var json = new Option<bool>("--json") { Description = "JSON lines: one per rule whenever it changed, then a result line" };
        var watch = new Command("watch", "Show the progress of rules live: locks OK / replicating / stuck, and bytes").With(ids, account, wait, timeout, interval, json);
        watch.SetAction(async (pr, ct) =>
        {
            var ruleIds = pr.GetValue(ids) ?? [];
            var ofAccount = pr.GetValue(account);
            if ((ruleIds.Length == 0) == (ofAccount is null)) throw new UsageException(ruleIds.Length == 0 ? "give rule ids or --account" : "give rule ids or --account, not both");
            if (pr.GetValue(timeout) is not null && !pr.GetValue(wait)) throw new UsageException("--timeout needs --wait");
            var limit = Common.Duration(pr.GetValue(timeout)) is { } t ? TimeSpan.FromSeconds(t) : (TimeSpan?)null;
            var every = TimeSpan.FromSeconds(Common.Duration(pr.GetValue(interval))!.Value);
            using var client = Common.Client();
            var watcher = new RuleWatcher(client, ruleIds, ofAccount, pr.GetValue(wait), limit, every, TimeProvider.System);
            IWatchView? view = pr.GetValue(json) ? new JsonLinesView(TimeProvider.System)
                : Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive ? new PlainLinesView() : null;
            WatchOutcome outcome;
            if (view is not null)
            {
                (outcome, var last) = await watcher.RunAsync(view.Show, ct);
                view.Finish(outcome, last);
            }
            else
            {
                await AnsiConsole.Live(new Text("")).AutoClear(false).StartAsync(live =>
                    watcher.RunAsync(s => { live.UpdateTarget(LiveTable.Build(s)); live.Refresh(); }, ct));
                outcome = watcher.Outcome!;
                AnsiConsole.MarkupLine(outcome.ExitCode == 0 ? $"[green]{Markup.Escape(outcome.Message)}[/]" : $"[red]{Markup.Escape(outcome.Message)}[/]");
            }
            if (outcome.ExitCode != 0 && pr.GetValue(json) is false) Console.Error.WriteLine($"ferry: {outcome.Message}");
            return outcome.ExitCode;
        });
        return watch;
    }
}

/// <summary>The polling loop, apart from how progress is shown.</summary>
internal sealed class RuleWatcher(FerryClient client, IReadOnlyList<string> ids, string? account, bool wait, TimeSpan? timeout, TimeSpan interval, TimeProvider clock)
{
    public WatchOutcome? Outcome { get; private set; }

    public async Task<(WatchOutcome, WatchSnapshot)> RunAsync(Action<WatchSnapshot> show, CancellationToken ct)
    {
        var start = clock.GetTimestamp();
        HashSet<string>? watched = null;
        while (true)
        {
            var progress = await PollAsync(watched is null, ct);
            // The rules of an account are those it had when the watch began; rules made later are not waited for.
            watched ??= progress.Rules.Select(r => r.RuleId).ToHashSet(StringComparer.Ordinal);
            var rules = progress.Rules.Where(r => watched.Contains(r.RuleId)).ToList();
            var gone = watched.Except(rules.Select(r => r.RuleId)).ToList();
            var snapshot = new WatchSnapshot(rules, gone, clock.GetElapsedTime(start));
            show(snapshot);
            Outcome = WatchOutcome.Decide(rules, gone, wait);
            if (Outcome is null && timeout is { } t && snapshot.Elapsed >= t) Outcome = WatchOutcome.TimedOut(rules, t);
            if (Outcome is not null) return (Outcome, snapshot);
            var pause = timeout is { } limit ? Min(interval, limit - snapshot.Elapsed) : interval;
            await Task.Delay(pause > TimeSpan.Zero ? pause : TimeSpan.Zero, clock, ct);
        }
    }

    private async Task<RulesProgress> PollAsync(bool first, CancellationToken ct)
    {
        try
        {
            var progress = account is not null ? await client.AccountRulesProgressAsync(account, ct) : await client.RulesProgressAsync(ids, ct);
            if (first && progress.Missing.Count > 0)
                throw new UsageException($"no rule with id {string.Join(", ", progress.Missing)} (see 'ferry rule list')");
            return progress;
        }
        catch (FerryApiException e) when (first && e.ExceptionClass is "AccountNotFound" or "InvalidObject")
        {
            throw new UsageException(e.Message);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
