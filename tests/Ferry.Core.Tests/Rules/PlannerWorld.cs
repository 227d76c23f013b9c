using CsCheck;
using Ferry.Core.Expressions;
using Ferry.Core.Model;
using Ferry.Core.Rules;

namespace Ferry.Core.Tests.Rules;

public sealed record PlannedFile(string Scope, string Name, long Bytes) : IPlacedFile;

/// <summary>
/// A generated catalogue for the rule planner: RSEs with tiers, weights and write flags, datasets of files, a rule, and
/// optionally locks it already holds, free space and quotas. Counts come from CsCheck (so a failure shrinks to the
/// smallest world); the details are drawn from a seed it also generates.
/// </summary>
public sealed record PlannerWorld(PlacementFacts<PlannedFile> Facts, int Seed)
{
    public Rule Rule => Facts.Rule;

    public RulePlan<PlannedFile> Plan() => RulePlanner.Plan(Facts, new Random(Seed));

    public override string ToString() =>
        $"copies={Rule.Copies} grouping={Rule.Grouping} expr={Rule.RseExpression} weight={Rule.Weight} rses={Facts.Rses.Count} " +
        $"groups={string.Join(",", Facts.Groups.Select(g => g.Count))} locks={Facts.Locks.Count} quota={Facts.Quota is not null} seed={Seed}";

    public static RseFacts Rse(int i, bool writable = true, int tier = 1, string? weight = null, bool mock = false)
    {
        // An RSE's own name is an attribute set to true, which is what a name in an expression matches.
        var attrs = new Dictionary<string, string> { [$"RSE{i}"] = "true", ["tier"] = tier.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (weight is not null) attrs["w"] = weight;
        if (mock) attrs["mock"] = "true";
        return new RseFacts($"RSE{i}", attrs, new Dictionary<string, string?>
            { ["id"] = $"id{i}", ["rse"] = $"RSE{i}", ["availability_write"] = writable ? "true" : "false" });
    }

    public static Rule NewRule(int copies, RuleGrouping grouping, string expression = "*", string? weight = null) => new()
    {
        Id = "rule1", Account = "alice", Scope = "user", Name = "ds", DidType = DidType.Container,
        RseExpression = expression, Copies = copies, Grouping = grouping, Weight = weight,
    };

    public static List<IReadOnlyList<PlannedFile>> Datasets(int datasets, int filesEach, Func<int, long> bytes) =>
        Enumerable.Range(0, datasets).Select(d => (IReadOnlyList<PlannedFile>)Enumerable.Range(0, filesEach)
            .Select(f => new PlannedFile("user", $"d{d}f{f}", bytes(d * filesEach + f))).ToList()).ToList();

    /// <summary>Files grouped as the store groups them for the rule's grouping (ALL: one group, NONE: one per file).</summary>
    public static IReadOnlyList<IReadOnlyList<PlannedFile>> Grouped(List<IReadOnlyList<PlannedFile>> datasets, RuleGrouping grouping) => grouping switch
    {
        RuleGrouping.Dataset => datasets,
        RuleGrouping.None => datasets.SelectMany(d => d).Select(f => (IReadOnlyList<PlannedFile>)[f]).ToList(),
        _ => [datasets.SelectMany(d => d).ToList()],
    };

    /// <summary>A world with no locks yet, all RSEs writable and tier 1 unless <paramref name="twists"/> says otherwise.</summary>
    public static Gen<PlannerWorld> Fresh(bool twists = true, bool quota = false) =>
        from rses in Gen.Int[1, 6]
        from datasets in Gen.Int[1, 4]
        from files in Gen.Int[1, 5]
        from copies in Gen.Int[1, 3]
        from grouping in Gen.Int[0, 2]
        from seed in Gen.Int
        select Build(rses, datasets, files, copies, (RuleGrouping)grouping, seed, twists, quota);

    private static PlannerWorld Build(int rseCount, int datasets, int files, int copies, RuleGrouping grouping, int seed, bool twists, bool withQuota)
    {
        var r = new Random(seed);
        var rses = Enumerable.Range(0, rseCount).Select(i => twists
            ? Rse(i, writable: r.Next(5) > 0, tier: 1 + r.Next(2), weight: r.Next(3) switch { 0 => null, 1 => "0", _ => (1 + r.Next(9)).ToString(System.Globalization.CultureInfo.InvariantCulture) }, mock: withQuota && r.Next(6) == 0)
            : Rse(i)).ToList();
        var expression = twists ? r.Next(3) switch { 0 => "tier=1", 1 => "*", _ => "RSE0|tier=2" } : "*";
        var weight = twists && r.Next(3) == 0 ? "w" : null;
        var rule = NewRule(copies, grouping, expression, weight);
        var grouped = Grouped(Datasets(datasets, files, _ => 1 + r.Next(1000)), grouping);
        AccountQuota? quota = null;
        if (withQuota)
            quota = new AccountQuota
            {
                Account = rule.Account,
                Limits = rses.Where(_ => r.Next(4) > 0).ToDictionary(x => x.Properties["id"]!, _ => r.Next(4) == 0 ? AccountQuota.Unlimited : (long)r.Next(20_000)),
                Usage = rses.ToDictionary(x => x.Properties["id"]!, _ => (long)r.Next(3000)),
                Globals = r.Next(2) == 0 ? [new GlobalQuota(r.Next(30_000), rses.Where(_ => r.Next(2) == 0).Select(x => x.Name).ToHashSet())] : [],
                RseNames = rses.ToDictionary(x => x.Properties["id"]!, x => x.Name),
                Exempt = rses.Where(x => x.Attributes.ContainsKey("mock")).Select(x => x.Properties["id"]!).ToHashSet(),
            };
        return new PlannerWorld(new PlacementFacts<PlannedFile> { Rule = rule, Groups = grouped, Locks = [], Rses = rses, Quota = quota }, seed);
    }
}

/// <summary>What a plan leaves: per file, the RSEs it is locked on after removals and placements.</summary>
public static class PlanResult
{
    public static Dictionary<(string, string), HashSet<string>> LocksAfter(PlacementFacts<PlannedFile> facts, RulePlan<PlannedFile> plan)
    {
        var removed = plan.Removals.Select(x => x.Lock).ToHashSet();
        var after = facts.Groups.SelectMany(g => g).ToDictionary(f => (f.Scope, f.Name), _ => new HashSet<string>());
        foreach (var l in facts.Locks.Where(l => !removed.Contains(l) && after.ContainsKey((l.Scope, l.Name)))) after[(l.Scope, l.Name)].Add(l.RseId);
        foreach (var p in plan.Placements)
            foreach (var f in p.Files ?? facts.Groups[p.Group])
                Assert.True(after[(f.Scope, f.Name)].Add(p.RseId), $"{f.Name} placed twice on {p.RseId}");
        return after;
    }

    /// <summary>Bytes the plan newly locks on each RSE.</summary>
    public static Dictionary<string, long> BytesPlaced(PlacementFacts<PlannedFile> facts, RulePlan<PlannedFile> plan) =>
        plan.Placements.GroupBy(p => p.RseId).ToDictionary(g => g.Key, g => g.Sum(p => (p.Files ?? facts.Groups[p.Group]).Sum(f => f.Bytes)));
}
