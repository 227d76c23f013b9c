using Ferry.Cli.Commands.Watch;
using Ferry.Client.Http;

namespace Ferry.Cli.Tests.Commands.Watch;

/// <summary>When `ferry rule watch` ends and with which exit code.</summary>
public sealed class WatchOutcomeTests
{
    private static RuleProgressInfo Rule(string id, string state, string? error = null) =>
        new(id, "alice", "user.a", "ds", "SITE_A", 1, state, error, 0, 0, 0, 0, 0, 0, 0, null, null);

    [Fact]
    public void With_wait_it_goes_on_while_rules_replicate_and_ends_ok_when_all_are()
    {
        Assert.Null(WatchOutcome.Decide([Rule("r1", "OK"), Rule("r2", "REPLICATING")], [], wait: true));
        var done = WatchOutcome.Decide([Rule("r1", "OK"), Rule("r2", "OK")], [], wait: true)!;
        Assert.Equal((WatchOutcome.Ok, "ok"), (done.ExitCode, done.Result));
    }

    [Fact]
    public void With_wait_a_stuck_rule_ends_it_at_once_before_a_deleted_one()
    {
        var stuck = WatchOutcome.Decide([Rule("r1", "REPLICATING"), Rule("r2", "STUCK", "no source")], ["r3"], wait: true)!;
        Assert.Equal(WatchOutcome.Stuck, stuck.ExitCode);
        Assert.Contains("r2 (STUCK: no source)", stuck.Message);
        var gone = WatchOutcome.Decide([Rule("r1", "REPLICATING")], ["r3"], wait: true)!;
        Assert.Equal((WatchOutcome.Failed, "gone"), (gone.ExitCode, gone.Result));
    }

    [Fact]
    public void Without_wait_it_ends_with_zero_once_nothing_replicates()
    {
        Assert.Null(WatchOutcome.Decide([Rule("r1", "REPLICATING")], [], wait: false));
        var settled = WatchOutcome.Decide([Rule("r1", "OK"), Rule("r2", "SUSPENDED")], ["r3"], wait: false)!;
        Assert.Equal(WatchOutcome.Ok, settled.ExitCode);
        Assert.Equal("1 OK, 1 stuck or suspended, 1 deleted", settled.Message);
    }

    [Fact]
    public void A_timeout_counts_what_still_replicates()
    {
        var t = WatchOutcome.TimedOut([Rule("r1", "REPLICATING"), Rule("r2", "OK")], TimeSpan.FromMinutes(5));
        Assert.Equal(WatchOutcome.Timeout, t.ExitCode);
        Assert.Equal("timed out after 00:05:00: 1 of 2 rule(s) still replicating", t.Message);
    }
}
