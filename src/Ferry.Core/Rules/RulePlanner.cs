using System.Globalization;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Model;

namespace Ferry.Core.Rules;

/// <summary>
/// Decides where a rule's locks go: which to drop (files no longer under the DID, locks that give way to another RSE after
/// their destination kept failing) and which to create, group by group, within free space and the account's quotas.
/// Pure: it reads only the facts it is given and draws only from the random source it is given; the store loads the
/// facts and writes the plan in one transaction.
/// </summary>
public static partial class RulePlanner
{
    /// <summary>Refusals that a re-evaluation records on the rule (which goes STUCK with the reason); creation answers with them instead.</summary>
    public static readonly IReadOnlySet<string> PlacementRefusals = new HashSet<string>(StringComparer.Ordinal)
        { "InvalidRSEExpression", "InsufficientTargetRSEs", "RSEWriteBlocked", "InsufficientAccountLimit", "InvalidRuleWeight" };

    public static RulePlan<TFile> Plan<TFile>(PlacementFacts<TFile> facts, Random random) where TFile : IPlacedFile
    {
        var rule = facts.Rule;
        var groups = facts.Groups;
        var fileKeys = new HashSet<(string, string)>();
        foreach (var group in groups) foreach (var f in group) fileKeys.Add((f.Scope, f.Name));
        // Locks on files that left the DID go whatever else happens.
        var removals = facts.Locks.Where(l => !fileKeys.Contains((l.Scope, l.Name))).Select(l => new LockRemoval(l, rule.PurgeReplicas)).ToList();
        var locks = facts.Locks.Where(l => fileKeys.Contains((l.Scope, l.Name))).ToList();
        // Locks made by this placement are consistent when written; only earlier ones can need moving.
        var hadLocks = facts.Locks.Count > 0;
        var placements = new List<Placement<TFile>>();
        // Bytes per RSE this plan adds (planned locks) or frees (removed locks), for the quota of each later group.
        var pending = new Dictionary<string, long>();
        try
        {
            var candidates = Candidates(rule, facts.Rses, facts.Room);
            var failedOn = new Dictionary<(string, string), HashSet<string>>();
            if (hadLocks)
            {
                var moved = removals.Count;
                failedOn = MoveStuckLocks(rule, locks, groups, candidates, facts.FailedDestinations, removals);
                var gone = removals.Skip(moved).Select(r => r.Lock).ToHashSet();
                if (gone.Count > 0) locks = locks.Where(l => !gone.Contains(l)).ToList();
            }
            foreach (var r in removals)
                if (r.Lock.Account == rule.Account) pending[r.Lock.RseId] = pending.GetValueOrDefault(r.Lock.RseId) - r.Lock.Bytes;
            var lockedOn = locks.GroupBy(l => (l.Scope, l.Name)).ToDictionary(g => g.Key, g => g.Select(l => l.RseId).ToList());
            for (var g = 0; g < groups.Count; g++)
                PlaceGroup(facts, g, candidates, lockedOn, failedOn, pending, placements, random);
        }
        catch (FerryException e)
        {
            return new RulePlan<TFile>(removals, placements, e, AllowedSources(rule, facts.Rses));
        }
        return new RulePlan<TFile>(removals, placements, null, AllowedSources(rule, facts.Rses));
    }

    /// <summary>
    /// The RSEs a rule's copies may be read from: those its source_replica_expression selects, or null (any readable RSE)
    /// when it has none. An expression that no longer evaluates (an RSE renamed or deleted) allows none, so the lock waits
    /// STUCK rather than reading from a source the rule's owner excluded.
    /// </summary>
    public static IReadOnlySet<string>? AllowedSources(Rule rule, IReadOnlyList<RseFacts> rses)
    {
        if (rule.SourceReplicaExpression is null) return null;
        try { return RseExpression.Parse(rule.SourceReplicaExpression).Evaluate(rses).ToHashSet(StringComparer.Ordinal); }
        catch (FerryException) { return new HashSet<string>(); }
    }

    private static void PlaceGroup<TFile>(PlacementFacts<TFile> facts, int g, List<RseCandidate> candidates,
        Dictionary<(string, string), List<string>> lockedOn, Dictionary<(string, string), HashSet<string>> failedOn,
        Dictionary<string, long> pending, List<Placement<TFile>> placements, Random random) where TFile : IPlacedFile
    {
        var rule = facts.Rule;
        var group = facts.Groups[g];
        var needing = group.Where(f => lockedOn.GetValueOrDefault((f.Scope, f.Name))?.Count is not { } n || n < rule.Copies).ToList();
        if (needing.Count == 0) return;
        var used = group.SelectMany(f => lockedOn.GetValueOrDefault((f.Scope, f.Name)) ?? []).GroupBy(r => r)
            .OrderByDescending(x => x.Count()).Select(x => x.Key).ToList();
        var held = facts.HeldByGroup.GetValueOrDefault(g);
        var bytes = needing.Sum(f => f.Bytes);
        var pool = WithRoom(candidates.Select(x => x with { BytesHeld = held?.GetValueOrDefault(x.RseId) ?? 0 }).ToList(), bytes, rule.Copies);
        if (facts.Quota is { } quota)
            pool = WithinQuota(quota, pool, bytes, rule.Copies - (rule.Grouping == RuleGrouping.None ? 0 : used.Count), pending);
        void Place(IReadOnlyList<TFile>? files, string rseId)
        {
            placements.Add(new Placement<TFile>(g, rseId, files));
            pending[rseId] = pending.GetValueOrDefault(rseId) + (files ?? group).Sum(f => f.Bytes);
        }
        if (rule.Grouping == RuleGrouping.None)
        {
            // A group of one file: the bytes held are that file's.
            foreach (var f in needing)
            {
                var mine = lockedOn.GetValueOrDefault((f.Scope, f.Name)) ?? [];
                var failed = failedOn.GetValueOrDefault((f.Scope, f.Name));
                var chosen = RseSelector.Select(pool.Where(x => failed?.Contains(x.RseId) != true).ToList(), rule.Copies, mine, random);
                foreach (var rseId in chosen.Except(mine)) Place([f], rseId);
            }
            return;
        }
        var avoid = group.SelectMany(f => failedOn.GetValueOrDefault((f.Scope, f.Name)) ?? []).ToHashSet();
        var targets = RseSelector.Select(pool.Where(x => !avoid.Contains(x.RseId)).ToList(), rule.Copies, used, random);
        foreach (var rseId in targets)
        {
            // Each file gets locks on the group's targets until it has `copies` of them.
            var toLock = needing.Where(f =>
            {
                var mine = lockedOn.GetValueOrDefault((f.Scope, f.Name)) ?? [];
                return !mine.Contains(rseId) && mine.Count + targets.TakeWhile(t => t != rseId).Count(t => !mine.Contains(t)) < rule.Copies;
            }).ToList();
            if (toLock.Count == group.Count) Place(null, rseId);
            else if (toLock.Count > 0) Place(toLock, rseId);
        }
    }

    /// <summary>The RSEs the expression allows now, with weights; write-blocked ones dropped unless the rule ignores availability.</summary>
    public static List<RseCandidate> Candidates(Rule rule, IReadOnlyList<RseFacts> rses, IReadOnlyDictionary<string, long> room)
    {
        var names = RseExpression.Parse(rule.RseExpression).Evaluate(rses).ToHashSet();
        var selected = rses.Where(r => names.Contains(r.Name)).ToList();
        if (!rule.IgnoreAvailability) selected = selected.Where(r => r.Properties.GetValueOrDefault("availability_write") == "true").ToList();
        if (selected.Count == 0) throw new FerryException("RSEWriteBlocked", 500, $"Every RSE selected by '{rule.RseExpression}' is blocked for writes");
        var result = new List<RseCandidate>();
        foreach (var r in selected)
        {
            double weight = 1;
            if (rule.Weight is { } attr)
            {
                var raw = r.Attributes.GetValueOrDefault(attr);
                if (raw is null) continue;
                if (!double.TryParse(raw, CultureInfo.InvariantCulture, out weight))
                    throw new FerryException("InvalidRuleWeight", 409, $"RSE {r.Name} has a non-numeric weight attribute {attr}='{raw}'");
            }
            var id = r.Properties["id"]!;
            result.Add(new RseCandidate(id, weight, 0, room.TryGetValue(id, out var left) ? left : null, r.Name));
        }
        return result;
    }

    /// <summary>
    /// Keeps the RSEs with room for what the group still needs there (storage-reported free space less MinFreeSpace;
    /// RSEs whose space is unknown are kept). Refuses, with the numbers, when too few are left.
    /// </summary>
    private static List<RseCandidate> WithRoom(List<RseCandidate> pool, long bytes, int copies)
    {
        var kept = pool.Where(x => x.Room is not { } room || room >= bytes - x.BytesHeld).ToList();
        if (kept.Count >= Math.Min(copies, pool.Count)) return kept;
        var full = pool.Except(kept).Select(x => $"{x.Name ?? x.RseId}: {Math.Max(0, x.Room ?? 0)} bytes of room").ToList();
        throw new FerryException("InsufficientTargetRSEs", 409,
            $"Not enough RSEs with free space for {bytes} bytes: {kept.Count} of the {copies} needed ({string.Join("; ", full)})");
    }

    /// <summary>Keeps the RSEs where the account can still lock the group's bytes (exempt RSEs always stay).</summary>
    private static List<RseCandidate> WithinQuota(AccountQuota quota, List<RseCandidate> pool, long bytes, int needed, IReadOnlyDictionary<string, long> pending)
    {
        var remaining = pool.ToDictionary(p => p.RseId, p => quota.Remaining(p.RseId, pending));
        var kept = pool.Where(p => quota.Exempt.Contains(p.RseId) || remaining[p.RseId] is not { } r || r >= bytes).ToList();
        if (kept.Count >= needed) return kept;
        var detail = string.Join("; ", pool.Select(p =>
            $"{quota.RseNames.GetValueOrDefault(p.RseId) ?? p.RseId}: {(remaining[p.RseId] is { } r ? $"{Math.Max(0, r)} bytes left" : "unlimited")}"));
        throw new FerryException("InsufficientAccountLimit", 409,
            $"There is insufficient quota on any of the target RSE's to fulfill the operation: account {quota.Account} needs {bytes} bytes on {needed} RSE(s) ({detail})");
    }
}
