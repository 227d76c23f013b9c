using System.Data.Common;
using Dapper;
using Ferry.Core.Model;
using Ferry.Core.Rules;

namespace Ferry.Catalog.Rules;

/// <summary>The repairer's part of applying a rule: moving locks whose destination keeps failing.</summary>
internal static partial class RuleReconciler
{
    /// <summary>
    /// A lock STUCK because its destination failed (not for want of a source) gives way to another RSE of the expression
    /// that has not failed for its group, when there is one; the new locks are made by the placement that follows. With
    /// grouping NONE a group is one file. With DATASET and ALL the group's files stay together: every lock of the group on
    /// the failing RSE moves, the OK ones too, so the group ends up whole on one RSE. Returns, per file, the RSEs that
    /// failed for it (NONE) or that its group left (DATASET, ALL).
    /// </summary>
    private static async Task<Dictionary<(string, string), HashSet<string>>> MoveStuckLocks(DbConnection c, DbTransaction tx, Rule rule,
        List<ReplicaLock> locks, IReadOnlyList<IReadOnlyList<GroupFile>> groups, List<RseCandidate> candidates, DateTimeOffset now)
    {
        var failed = (await c.QueryAsync<(string Scope, string Name, string RseId)>("""
            SELECT DISTINCT l.scope, l.name, l.rse_id FROM locks l
            WHERE l.rule_id=@Id AND l.state=@stuck AND EXISTS (SELECT 1 FROM requests q WHERE q.scope=l.scope AND q.name=l.name
                AND q.dest_rse_id=l.rse_id AND q.state=3 AND q.last_error NOT LIKE 'no AVAILABLE source%')
            """, new { rule.Id, stuck = LockState.Stuck }, tx))
            .GroupBy(x => (x.Scope, x.Name)).ToDictionary(g => g.Key, g => g.Select(x => x.RseId).ToHashSet());
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
                await RemoveLock(c, tx, l, purge: l.State != LockState.Ok || rule.PurgeReplicas, now);
            // A file on its own avoids every RSE that failed it; a group avoids those it left, so that one it could not
            // leave (no alternative) still counts towards its copies.
            var shunned = rule.Grouping == RuleGrouping.None ? bad : leaving;
            if (shunned.Count > 0) foreach (var k in keys) avoid[k] = shunned;
        }
        return avoid;
    }
}
