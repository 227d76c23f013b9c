using Ferry.Core.Model;

namespace Ferry.Core.Rules;

/// <summary>The repairer's part of planning: moving locks whose destination keeps failing.</summary>
public static partial class RulePlanner
{
    /// <summary>
    /// A lock STUCK because its destination failed (not for want of a source) gives way to another RSE of the expression
    /// that has not failed for its group, when there is one; the new locks are made by the placement that follows. With
    /// grouping NONE a group is one file. With DATASET and ALL the group's files stay together: every lock of the group on
    /// the failing RSE moves, the OK ones too, so the group ends up whole on one RSE. Adds the removals and returns, per
    /// file, the RSEs that failed for it (NONE) or that its group left (DATASET, ALL).
    /// </summary>
    private static Dictionary<(string, string), HashSet<string>> MoveStuckLocks<TFile>(Rule rule, List<ReplicaLock> locks,
        IReadOnlyList<IReadOnlyList<TFile>> groups, List<RseCandidate> candidates,
        IReadOnlyDictionary<(string Scope, string Name), HashSet<string>> failed, List<LockRemoval> removals) where TFile : IPlacedFile
    {
        var avoid = new Dictionary<(string, string), HashSet<string>>();
        if (failed.Count == 0) return avoid;
        var byFile = locks.ToLookup(l => (l.Scope, l.Name));
        foreach (var group in groups)
        {
            var keys = group.Select(f => (f.Scope, f.Name)).ToList();
            var bad = keys.SelectMany(k => failed.GetValueOrDefault(k) ?? []).ToHashSet();
            if (bad.Count == 0) continue;
            var groupLocks = keys.SelectMany(k => byFile[k]).ToList();
            var held = groupLocks.Select(l => l.RseId).ToHashSet();
            var alternatives = candidates.Count(x => !held.Contains(x.RseId) && !bad.Contains(x.RseId));
            var leaving = held.Where(bad.Contains).Order(StringComparer.Ordinal).Take(alternatives).ToHashSet();
            // A lock that never completed leaves nothing worth keeping; an OK one leaves its replica to the rule's purge setting.
            foreach (var l in groupLocks.Where(l => leaving.Contains(l.RseId)))
                removals.Add(new LockRemoval(l, l.State != LockState.Ok || rule.PurgeReplicas));
            // A file on its own avoids every RSE that failed it; a group avoids those it left, so that one it could not
            // leave (no alternative) still counts towards its copies.
            var shunned = rule.Grouping == RuleGrouping.None ? bad : leaving;
            if (shunned.Count > 0) foreach (var k in keys) avoid[k] = shunned;
        }
        return avoid;
    }
}
