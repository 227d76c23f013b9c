using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Catalog.Reports;

/// <summary>One rule's progress: its state, and its locks and their bytes by lock state.</summary>
public sealed record RuleProgress
{
    public required Rule Rule { get; init; }
    public long LocksOk { get; init; }
    public long LocksReplicating { get; init; }
    public long LocksStuck { get; init; }
    public long BytesOk { get; init; }
    public long BytesReplicating { get; init; }
    public long BytesStuck { get; init; }
    public long Bytes => BytesOk + BytesReplicating + BytesStuck;
}

/// <summary>The progress of many rules in one read, for watchers that would otherwise ask once per rule.</summary>
public sealed class RuleProgressCatalog(ICatalogDatabase db)
{
    public const int MaxIds = 10_000;
    // Below SQLite's and PostgreSQL's parameter limits, with room to spare.
    private const int Chunk = 500;

    /// <summary>The rules with these ids that exist; ids of rules that do not are left out (the caller reports them).</summary>
    public Task<IReadOnlyList<RuleProgress>> OfRulesAsync(IReadOnlyCollection<string> ids)
    {
        if (ids.Count > MaxIds) throw FerryException.Invalid($"At most {MaxIds} rule ids per request, got {ids.Count}");
        return db.ReadAsync<IReadOnlyList<RuleProgress>>(async c =>
        {
            var result = new List<RuleProgress>();
            foreach (var chunk in ids.Distinct().Chunk(Chunk))
            {
                var rules = await c.QueryAsync<Rule>("SELECT * FROM rules WHERE id IN @chunk", new { chunk });
                var locks = await c.QueryAsync<(string RuleId, LockState State, long Locks, long Bytes)>(
                    "SELECT rule_id, state, COUNT(*) AS locks, COALESCE(SUM(bytes),0) AS bytes FROM locks WHERE rule_id IN @chunk GROUP BY rule_id, state", new { chunk });
                result.AddRange(Combine(rules, locks));
            }
            return result.OrderBy(p => p.Rule.CreatedAt).ThenBy(p => p.Rule.Id, StringComparer.Ordinal).ToList();
        });
    }

    /// <summary>Every rule of the account.</summary>
    public Task<IReadOnlyList<RuleProgress>> OfAccountAsync(string account) => db.ReadAsync<IReadOnlyList<RuleProgress>>(async c =>
    {
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM accounts WHERE name=@account", new { account }) == 0)
            throw FerryException.AccountNotFound(account);
        var rules = await c.QueryAsync<Rule>("SELECT * FROM rules WHERE account=@account ORDER BY created_at, id", new { account });
        var locks = await c.QueryAsync<(string RuleId, LockState State, long Locks, long Bytes)>("""
            SELECT l.rule_id, l.state, COUNT(*) AS locks, COALESCE(SUM(l.bytes),0) AS bytes
            FROM locks l JOIN rules r ON r.id=l.rule_id WHERE r.account=@account GROUP BY l.rule_id, l.state
            """, new { account });
        return Combine(rules, locks).ToList();
    });

    private static IEnumerable<RuleProgress> Combine(IEnumerable<Rule> rules, IEnumerable<(string RuleId, LockState State, long Locks, long Bytes)> locks)
    {
        var byRule = locks.ToLookup(l => l.RuleId);
        foreach (var rule in rules)
        {
            var totals = byRule[rule.Id].ToDictionary(l => l.State, l => (l.Locks, l.Bytes));
            (long Locks, long Bytes) Of(LockState s) => totals.GetValueOrDefault(s);
            yield return new RuleProgress
            {
                Rule = rule,
                LocksOk = Of(LockState.Ok).Locks, LocksReplicating = Of(LockState.Replicating).Locks, LocksStuck = Of(LockState.Stuck).Locks,
                BytesOk = Of(LockState.Ok).Bytes, BytesReplicating = Of(LockState.Replicating).Bytes, BytesStuck = Of(LockState.Stuck).Bytes,
            };
        }
    }
}
