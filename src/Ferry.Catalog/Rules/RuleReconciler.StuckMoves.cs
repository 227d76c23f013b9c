using System.Data.Common;
using Dapper;
using Ferry.Core.Model;

namespace Ferry.Catalog.Rules;

/// <summary>The facts the planner needs to move locks whose destination keeps failing (<see cref="Core.Rules.RulePlanner"/>).</summary>
internal static partial class RuleReconciler
{
    /// <summary>Per file, the RSEs where the rule's lock is STUCK because a copy to them failed, not for want of a source.</summary>
    private static async Task<Dictionary<(string Scope, string Name), HashSet<string>>> FailedDestinations(DbConnection c, DbTransaction tx, Rule rule) =>
        (await c.QueryAsync<(string Scope, string Name, string RseId)>("""
            SELECT DISTINCT l.scope, l.name, l.rse_id FROM locks l
            WHERE l.rule_id=@Id AND l.state=@stuck AND EXISTS (SELECT 1 FROM requests q WHERE q.scope=l.scope AND q.name=l.name
                AND q.dest_rse_id=l.rse_id AND q.state=3 AND q.last_error NOT LIKE 'no AVAILABLE source%')
            """, new { rule.Id, stuck = LockState.Stuck }, tx))
            .GroupBy(x => (x.Scope, x.Name)).ToDictionary(g => g.Key, g => g.Select(x => x.RseId).ToHashSet());
}
