using Ferry.Client.Http;

namespace Ferry.Cli.Commands.Watch;

/// <summary>How a watch ends and with which exit code; null while it goes on.</summary>
public sealed record WatchOutcome(string Result, int ExitCode, string Message)
{
    public const int Ok = 0, Failed = 1, Timeout = 4, Stuck = 5;

    /// <summary>
    /// With --wait: every rule OK is 0; a rule STUCK or SUSPENDED (neither finishes without a person) is 5 at once;
    /// a rule deleted meanwhile is 1. Without --wait the watch ends, with 0, once no rule is still replicating.
    /// </summary>
    public static WatchOutcome? Decide(IReadOnlyList<RuleProgressInfo> rules, IReadOnlyCollection<string> gone, bool wait)
    {
        var stuck = rules.Where(r => r.State is "STUCK" or "SUSPENDED").ToList();
        var replicating = rules.Count(r => r.State == "REPLICATING");
        if (wait)
        {
            if (stuck.Count > 0)
                return new("stuck", Stuck, $"{stuck.Count} rule(s) stuck or suspended: {string.Join(", ", stuck.Select(r => $"{r.RuleId} ({r.State}{(r.Error is null ? "" : ": " + r.Error)})"))}");
            if (gone.Count > 0) return new("gone", Failed, $"rule(s) deleted while watched: {string.Join(", ", gone)}");
            if (replicating == 0) return new("ok", Ok, $"all {rules.Count} rule(s) OK");
            return null;
        }
        if (replicating > 0) return null;
        return new("settled", Ok, $"{rules.Count(r => r.State == "OK")} OK, {stuck.Count} stuck or suspended" + (gone.Count > 0 ? $", {gone.Count} deleted" : ""));
    }

    public static WatchOutcome TimedOut(IReadOnlyList<RuleProgressInfo> rules, TimeSpan timeout) =>
        new("timeout", Timeout, $"timed out after {timeout}: {rules.Count(r => r.State == "REPLICATING")} of {rules.Count} rule(s) still replicating");
}
