using CsCheck;
using Ferry.Core.Model;
using Ferry.Core.Rules;
using static Ferry.Core.Tests.Rules.PlannerWorld;

namespace Ferry.Core.Tests.Rules;

/// <summary>Properties of the rule planner over generated catalogues, with the random source injected.</summary>
public sealed class RulePlannerTests
{
    /// <summary>The RSEs a placement may use, worked out here from the world rather than by the planner's own code.</summary>
    private static HashSet<string> Usable(PlannerWorld w) => w.Facts.Rses.Where(r =>
            r.Properties["availability_write"] == "true"
            && w.Rule.RseExpression switch { "tier=1" => r.Attributes["tier"] == "1", "*" => true, _ => r.Name == "RSE0" || r.Attributes["tier"] == "2" }
            && (w.Rule.Weight is null || (r.Attributes.TryGetValue("w", out var wt) && double.Parse(wt, System.Globalization.CultureInfo.InvariantCulture) > 0)))
        .Select(r => r.Properties["id"]!).ToHashSet();

    [Fact]
    public void Each_file_gets_its_copies_on_distinct_usable_rses_and_each_group_stays_together() => Fresh().Sample(w =>
    {
        var plan = w.Plan();
        var usable = Usable(w);
        if (usable.Count < w.Rule.Copies)
        {
            Assert.NotNull(plan.Refusal);
            // None selected, none writable, or too few usable ones.
            Assert.Contains(plan.Refusal!.ExceptionClass, new[] { "InvalidRSEExpression", "RSEWriteBlocked", "InsufficientTargetRSEs" });
            return;
        }
        Assert.Null(plan.Refusal);
        var after = PlanResult.LocksAfter(w.Facts, plan);
        foreach (var rses in after.Values)
        {
            Assert.Equal(w.Rule.Copies, rses.Count);
            Assert.Subset(usable, rses);
        }
        // ALL: one group; DATASET: one per dataset; NONE: one per file. Every file of a group is on the same RSEs.
        foreach (var group in w.Facts.Groups)
            Assert.Single(group.Select(f => string.Join(",", after[(f.Scope, f.Name)].Order(StringComparer.Ordinal))).Distinct());
    }, iter: 2000);

    [Fact]
    public void A_placed_rule_plans_nothing_more() => Fresh(quota: true).Sample(w =>
    {
        var plan = w.Plan();
        if (plan.Refusal is not null) return;
        var locks = plan.Placements.SelectMany(p => (p.Files ?? w.Facts.Groups[p.Group]).Select(f => new ReplicaLock
            { RuleId = w.Rule.Id, Scope = f.Scope, Name = f.Name, RseId = p.RseId, State = LockState.Replicating, Bytes = f.Bytes, Account = w.Rule.Account })).ToList();
        var again = RulePlanner.Plan(w.Facts with { Locks = locks }, new Random(w.Seed + 1));
        Assert.Null(again.Refusal);
        Assert.Empty(again.Removals);
        Assert.Empty(again.Placements);
    }, iter: 1000);

    [Fact]
    public void Placements_stay_within_the_accounts_quota_except_on_exempt_rses() => Fresh(quota: true).Sample(w =>
    {
        var plan = w.Plan();
        var quota = w.Facts.Quota!;
        if (plan.Refusal is { } refusal)
            Assert.Contains(refusal.ExceptionClass, RulePlanner.PlacementRefusals);
        foreach (var (rse, bytes) in PlanResult.BytesPlaced(w.Facts, plan))
            if (!quota.Exempt.Contains(rse) && quota.Remaining(rse) is { } left)
                Assert.True(bytes <= left, $"{bytes} bytes placed on {rse} with {left} left");
        // A refusal keeps the groups placed before it and plans nothing after it.
        var groups = plan.Placements.Select(p => p.Group).ToList();
        Assert.Equal(groups.Order(), groups);
    }, iter: 2000);

    [Fact]
    public void The_same_facts_and_draws_give_the_same_plan() => Fresh(quota: true).Sample(w =>
    {
        static string Show(RulePlan<PlannedFile> p) => string.Join(";", p.Placements.Select(x => $"{x.Group}:{x.RseId}:{x.Files?.Count}")) + p.Refusal?.Message;
        Assert.Equal(Show(w.Plan()), Show(w.Plan()));
    }, iter: 300);

    [Fact]
    public void Weights_draw_rses_in_proportion_and_rses_without_the_attribute_are_never_used()
    {
        var rses = new[] { Rse(0, weight: "9"), Rse(1, weight: "1"), Rse(2) };
        var files = Grouped(Datasets(1, 2000, _ => 1), RuleGrouping.None);
        var plan = RulePlanner.Plan(new PlacementFacts<PlannedFile>
            { Rule = NewRule(1, RuleGrouping.None, weight: "w"), Groups = files, Locks = [], Rses = rses }, new Random(7));
        var counts = PlanResult.BytesPlaced(new PlacementFacts<PlannedFile> { Rule = NewRule(1, RuleGrouping.None), Groups = files, Locks = [], Rses = rses }, plan);
        Assert.InRange(counts["id0"], 1700, 1900);
        Assert.Equal(2000 - counts["id0"], counts["id1"]);
        Assert.False(counts.ContainsKey("id2"));
    }

    [Fact]
    public void An_rse_without_room_for_the_group_is_passed_over_and_with_none_left_the_refusal_gives_the_numbers()
    {
        var facts = new PlacementFacts<PlannedFile>
        {
            Rule = NewRule(1, RuleGrouping.Dataset), Groups = Datasets(1, 4, _ => 25), Locks = [], Rses = [Rse(0), Rse(1)],
            Room = new Dictionary<string, long> { ["id0"] = 99 },
        };
        for (var seed = 0; seed < 20; seed++)
            Assert.Equal("id1", Assert.Single(RulePlanner.Plan(facts, new Random(seed)).Placements).RseId);
        // Bytes the RSE already holds of the group need no room.
        var held = RulePlanner.Plan(facts with { HeldByGroup = new Dictionary<int, Dictionary<string, long>> { [0] = new() { ["id0"] = 25 } } }, new Random(1));
        Assert.Equal("id0", Assert.Single(held.Placements).RseId);
        var full = RulePlanner.Plan(facts with { Room = new Dictionary<string, long> { ["id0"] = 99, ["id1"] = 10 } }, new Random(1));
        Assert.Equal("InsufficientTargetRSEs", full.Refusal?.ExceptionClass);
        Assert.Contains("RSE0: 99 bytes of room", full.Refusal!.Message);
        Assert.Empty(full.Placements);
    }

    [Fact]
    public void Quota_refusal_names_the_account_and_what_is_left()
    {
        var quota = new AccountQuota
        {
            Account = "alice", Limits = new Dictionary<string, long> { ["id0"] = 50 }, Usage = new() { ["id0"] = 10 },
            RseNames = new Dictionary<string, string> { ["id0"] = "RSE0", ["id1"] = "RSE1" },
        };
        var facts = new PlacementFacts<PlannedFile> { Rule = NewRule(1, RuleGrouping.All), Groups = Datasets(1, 2, _ => 30), Locks = [], Rses = [Rse(0), Rse(1)], Quota = quota };
        var plan = RulePlanner.Plan(facts, new Random(1));
        Assert.Equal("InsufficientAccountLimit", plan.Refusal?.ExceptionClass);
        Assert.Contains("account alice needs 60 bytes on 1 RSE(s) (RSE0: 40 bytes left; RSE1: 0 bytes left)", plan.Refusal!.Message);
        // Locks the plan drops free their bytes for the placement that follows.
        var ok = RulePlanner.Plan(facts with { Quota = new AccountQuota { Account = "alice", Limits = quota.Limits, Usage = new() { ["id0"] = 40 }, RseNames = quota.RseNames, Exempt = new HashSet<string> { "id1" } } }, new Random(1));
        Assert.Null(ok.Refusal);
    }

    private static ReplicaLock Lock(string file, string rse, LockState state = LockState.Ok) =>
        new() { RuleId = "rule1", Scope = "user", Name = file, RseId = rse, State = state, Bytes = 25, Account = "alice" };

    [Fact]
    public void A_group_whose_destination_keeps_failing_moves_whole_to_another_rse()
    {
        var facts = new PlacementFacts<PlannedFile>
        {
            Rule = NewRule(1, RuleGrouping.Dataset), Groups = Datasets(1, 3, _ => 25), Rses = [Rse(0), Rse(1), Rse(2)],
            Locks = [Lock("d0f0", "id0"), Lock("d0f1", "id0"), Lock("d0f2", "id0", LockState.Stuck)],
            FailedDestinations = new Dictionary<(string, string), HashSet<string>> { [("user", "d0f2")] = ["id0"] },
        };
        var plan = RulePlanner.Plan(facts, new Random(3));
        Assert.Equal(3, plan.Removals.Count);
        Assert.All(plan.Removals, r => Assert.Equal(r.Lock.State == LockState.Stuck, r.Purge));
        var placed = Assert.Single(plan.Placements);
        Assert.Null(placed.Files);
        Assert.NotEqual("id0", placed.RseId);
        // With nowhere else to go the group stays, and its stuck lock waits for the repairer.
        var stay = RulePlanner.Plan(facts with { Rses = [Rse(0)] }, new Random(3));
        Assert.Empty(stay.Removals);
        Assert.Empty(stay.Placements);
        Assert.Null(stay.Refusal);
    }

    [Fact]
    public void With_grouping_none_only_the_failing_file_moves()
    {
        var facts = new PlacementFacts<PlannedFile>
        {
            Rule = NewRule(1, RuleGrouping.None), Groups = Grouped(Datasets(1, 2, _ => 25), RuleGrouping.None), Rses = [Rse(0), Rse(1)],
            Locks = [Lock("d0f0", "id0"), Lock("d0f1", "id0", LockState.Stuck)],
            FailedDestinations = new Dictionary<(string, string), HashSet<string>> { [("user", "d0f1")] = ["id0"] },
        };
        var plan = RulePlanner.Plan(facts, new Random(3));
        Assert.Equal("d0f1", Assert.Single(plan.Removals).Lock.Name);
        var placed = Assert.Single(plan.Placements);
        Assert.Equal(("d0f1", "id1"), (Assert.Single(placed.Files!).Name, placed.RseId));
    }

    [Fact]
    public void Locks_on_files_that_left_the_did_go_even_when_placement_is_refused()
    {
        var orphan = Lock("gone", "id0");
        var facts = new PlacementFacts<PlannedFile>
            { Rule = NewRule(1, RuleGrouping.All, "RSE0") with { PurgeReplicas = true }, Groups = Datasets(1, 1, _ => 1), Locks = [orphan], Rses = [Rse(0, writable: false)] };
        var plan = RulePlanner.Plan(facts, new Random(1));
        Assert.Equal("RSEWriteBlocked", plan.Refusal?.ExceptionClass);
        Assert.Equal(new LockRemoval(orphan, true), Assert.Single(plan.Removals));
    }

    [Fact]
    public void The_source_expression_limits_where_copies_are_read_from()
    {
        var facts = new[] { Rse(0, tier: 1), Rse(1, tier: 2), Rse(2, tier: 2) };
        Assert.Null(RulePlanner.AllowedSources(NewRule(1, RuleGrouping.All), facts));
        Assert.Equal(["RSE1", "RSE2"], RulePlanner.AllowedSources(NewRule(1, RuleGrouping.All) with { SourceReplicaExpression = "tier=2" }, facts)!.Order());
        // An expression that no longer selects anything allows no source rather than any.
        Assert.Empty(RulePlanner.AllowedSources(NewRule(1, RuleGrouping.All) with { SourceReplicaExpression = "RSE9" }, facts)!);
        var plan = RulePlanner.Plan(new PlacementFacts<PlannedFile>
            { Rule = NewRule(1, RuleGrouping.All) with { SourceReplicaExpression = "tier=1" }, Groups = Datasets(1, 1, _ => 1), Locks = [], Rses = facts }, new Random(1));
        Assert.Equal(["RSE0"], plan.AllowedSources!);
    }
}
