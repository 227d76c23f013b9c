using Ferry.Catalog.Rules;
using Ferry.Catalog.Tests.Infrastructure;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Rules;

namespace Ferry.Catalog.Tests.Rules;

/// <summary>The planner's decisions as the store writes them: locks, replicas and transfer requests in one transaction.</summary>
public sealed class RulePlacementTests
{
    private static RuleSpec Rule(string expression, int copies = 1) =>
        new() { Dids = [("test", "ds")], Account = "root", RseExpression = expression, Copies = copies };

    [Fact]
    public async Task A_rule_where_the_data_already_is_is_OK_at_once_and_queues_nothing()
    {
        await using var t = await new TestCatalog().WithRses("SRC", "DST");
        await t.Dataset("ds", "SRC", 5);
        var id = Assert.Single(await t.Rules.AddAsync(Rule("SRC")));
        var rule = await t.Rules.GetAsync(id);
        Assert.Equal((RuleState.Ok, 5L, 0L), (rule.State, rule.LocksOkCnt, rule.LocksReplicatingCnt));
        Assert.Equal(0, await t.Count("SELECT COUNT(*) FROM requests"));
    }

    [Fact]
    public async Task A_rule_elsewhere_locks_each_file_REPLICATING_with_a_COPYING_replica_and_one_request()
    {
        await using var t = await new TestCatalog().WithRses("SRC", "DST");
        await t.Dataset("ds", "SRC", 5);
        var id = Assert.Single(await t.Rules.AddAsync(Rule("DST")));
        var rule = await t.Rules.GetAsync(id);
        Assert.Equal((RuleState.Replicating, 5L), (rule.State, rule.LocksReplicatingCnt));
        Assert.Equal(5, await t.Count("SELECT COUNT(*) FROM requests WHERE state=0"));
        Assert.Equal(5, await t.Count("SELECT COUNT(*) FROM replicas r JOIN rses s ON s.id=r.rse_id WHERE s.name='DST' AND r.state=@copying",
            new { copying = ReplicaState.Copying }));
    }

    [Fact]
    public async Task With_no_source_the_rule_allows_the_locks_are_STUCK_and_nothing_is_queued()
    {
        await using var t = await new TestCatalog().WithRses("SRC", "DST", "OTHER");
        await t.Dataset("ds", "SRC", 3);
        var id = Assert.Single(await t.Rules.AddAsync(Rule("DST") with { SourceReplicaExpression = "OTHER" }));
        var rule = await t.Rules.GetAsync(id);
        Assert.Equal((RuleState.Stuck, 3L), (rule.State, rule.LocksStuckCnt));
        Assert.Equal(0, await t.Count("SELECT COUNT(*) FROM requests"));
    }

    [Fact]
    public async Task A_placement_refused_at_creation_writes_nothing()
    {
        await using var t = await new TestCatalog().WithRses("SRC", "DST");
        await t.Dataset("ds", "SRC", 3, bytes: 100);
        await t.Accounts.AddAsync("alice", AccountType.User, null);
        await t.Quotas.SetLocalAsync("alice", "DST", 250);
        var e = await Assert.ThrowsAsync<FerryException>(() => t.Rules.AddAsync(Rule("DST") with { Account = "alice" }));
        Assert.Equal("InsufficientAccountLimit", e.ExceptionClass);
        Assert.Contains("account alice needs 300 bytes on 1 RSE(s) (DST: 250 bytes left)", e.Message);
        Assert.Equal(0, await t.Count("SELECT COUNT(*) FROM rules"));
        Assert.Equal(0, await t.Count("SELECT COUNT(*) FROM locks"));
        Assert.Equal(0, await t.Count("SELECT COUNT(*) FROM account_usage WHERE account='alice' AND bytes<>0"));
        // Within the limit the same rule is placed and charged.
        await t.Quotas.SetLocalAsync("alice", "DST", 300);
        Assert.Single(await t.Rules.AddAsync(Rule("DST") with { Account = "alice" }));
        Assert.Equal(300, await t.Count("SELECT bytes FROM account_usage WHERE account='alice'"));
    }

    [Fact]
    public async Task A_file_detached_from_the_dataset_loses_its_lock_at_the_next_evaluation()
    {
        await using var t = await new TestCatalog().WithRses("SRC");
        await t.Dataset("ds", "SRC", 3);
        var id = Assert.Single(await t.Rules.AddAsync(Rule("SRC")));
        await t.Dids.DetachAsync("test", "ds", [new Ferry.Catalog.Dids.ChildSpec("test", "ds_f0")]);
        await t.Rules.EvaluatePendingAsync(10);
        Assert.Equal(2, (await t.Rules.LocksAsync(id)).Count);
        Assert.Equal(0, await t.Count("SELECT lock_cnt FROM replicas WHERE name='ds_f0'"));
        Assert.Equal(1, await t.Count("SELECT COUNT(*) FROM replicas WHERE name='ds_f0' AND tombstone IS NOT NULL"));
    }

    [Fact]
    public async Task A_rule_expires_by_the_injected_clock()
    {
        await using var t = await new TestCatalog().WithRses("SRC");
        await t.Dataset("ds", "SRC", 1);
        var id = Assert.Single(await t.Rules.AddAsync(Rule("SRC") with { LifetimeSeconds = 3600 }));
        Assert.Equal(t.Clock.GetUtcNow().AddHours(1).ToUnixTimeMilliseconds(), (await t.Rules.GetAsync(id)).ExpiresAt?.ToUnixTimeMilliseconds());
        t.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, await t.Rules.RemoveExpiredAsync(10));
        t.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await t.Rules.RemoveExpiredAsync(10));
        Assert.Null(await t.Rules.FindAsync(id));
    }
}
