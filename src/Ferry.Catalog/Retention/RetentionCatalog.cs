using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Policies;

namespace Ferry.Catalog.Retention;

public sealed record RetentionPolicyView(string Rse, int MinCopies, TimeSpan MinAge, RetentionAge AgeBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One replica of the RSE and what retention does with it.</summary>
public sealed record RetentionItem(string Scope, string Name, long Bytes, bool Delete, string Reason);

/// <summary>
/// Retention per RSE: the site's copy goes only when enough verified copies exist elsewhere and it is old enough.
/// Deleting means a tombstone now, decided and written in one transaction, so two RSEs' policies never both count on
/// each other's copy (a tombstoned copy no longer counts as verified elsewhere); the reaper then removes the bytes.
/// Ages are read from the server's clock (a test runs the server on a fake one and moves it).
/// </summary>
public sealed class RetentionCatalog(ICatalogDatabase db, TimeProvider clock)
{
    private sealed record PolicyRow(string RseId, long MinCopies, long MinAgeSeconds, string AgeBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    // Enums as long: Dapper matches a record's constructor by exact column types. Since: what the age counts from.
    private sealed record ReplicaRow(string Scope, string Name, long Bytes, long State, long LockCnt, DateTimeOffset Since, long Elsewhere);

    public Task<RetentionPolicyView> SetAsync(string rse, int minCopies, TimeSpan minAge, RetentionAge ageBy = RetentionAge.Created) => db.WriteAsync(async (c, tx) =>
    {
        var r = await RseCatalog.Get(c, tx, rse);
        if (minCopies < 1) throw FerryException.Invalid($"A retention policy keeps at least 1 copy elsewhere, got {minCopies}");
        if (minAge < TimeSpan.Zero || minAge > TimeSpan.FromDays(36500)) throw FerryException.Invalid("min_age_days must be between 0 and 36500");
        var others = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rses WHERE deleted=0 AND volatile=0 AND id<>@Id", r, tx);
        if (minCopies > others)
            throw new FerryException("InvalidRetentionPolicy", 409,
                $"The policy asks for {minCopies} verified copies elsewhere but only {others} other RSE(s) exist: nothing on {rse} could ever be deleted, so it is refused");
        var now = clock.GetUtcNow();
        await c.ExecuteAsync("""
            INSERT INTO retention_policies(rse_id,min_copies,min_age_seconds,age_by,created_at,updated_at) VALUES (@Id,@minCopies,@age,@by,@now,@now)
            ON CONFLICT(rse_id) DO UPDATE SET min_copies=excluded.min_copies, min_age_seconds=excluded.min_age_seconds, age_by=excluded.age_by, updated_at=excluded.updated_at
            """, new { r.Id, minCopies, age = (long)minAge.TotalSeconds, by = RetentionPolicy.Wire(ageBy), now }, tx);
        return new RetentionPolicyView(rse, minCopies, minAge, ageBy, now, now);
    });

    public Task<IReadOnlyList<RetentionPolicyView>> ListAsync() => db.ReadAsync<IReadOnlyList<RetentionPolicyView>>(async c =>
        (await c.QueryAsync<(string Name, long MinCopies, long MinAgeSeconds, string AgeBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)>("""
            SELECT s.name, p.min_copies, p.min_age_seconds, p.age_by, p.created_at, p.updated_at FROM retention_policies p JOIN rses s ON s.id=p.rse_id
            WHERE s.deleted=0 ORDER BY s.name
            """)).Select(p => new RetentionPolicyView(p.Name, (int)p.MinCopies, TimeSpan.FromSeconds(p.MinAgeSeconds), RetentionPolicy.ParseAgeBy(p.AgeBy), p.CreatedAt, p.UpdatedAt)).ToList());

    public Task DeleteAsync(string rse) => db.WriteAsync(async (c, tx) =>
    {
        var r = await RseCatalog.Get(c, tx, rse);
        if (await c.ExecuteAsync("DELETE FROM retention_policies WHERE rse_id=@Id", r, tx) == 0)
            throw FerryException.NotFound("RetentionPolicyNotFound", $"RSE {rse} has no retention policy");
        return 0;
    });

    /// <summary>The dry run: every replica of the RSE with what would happen to it and why; nothing changes.</summary>
    /// <param name="only">The files a restricted round may touch (`ferry site run --dids`); null for the whole RSE.</param>
    public Task<IReadOnlyList<RetentionItem>> PlanAsync(string rse, int limit, IReadOnlySet<(string Scope, string Name)>? only = null) => db.ReadAsync(async c =>
    {
        var (policy, rseId) = await Policy(c, null, rse);
        return Decide(policy, await Replicas(c, null, rseId, policy.AgeBy, limit, only), clock.GetUtcNow());
    });

    /// <summary>Decides again and tombstones what may go, in one transaction; returns what was scheduled for deletion.</summary>
    public Task<IReadOnlyList<RetentionItem>> ApplyAsync(string rse, int limit, IReadOnlySet<(string Scope, string Name)>? only = null) => db.WriteAsync<IReadOnlyList<RetentionItem>>(async (c, tx) =>
    {
        var (policy, rseId) = await Policy(c, tx, rse);
        var now = clock.GetUtcNow();
        var age = clock.GetUtcNow();
        var gone = new List<RetentionItem>();
        // One replica at a time, with its copies counted afresh: deleting one file's copy here never changes another's
        // count, but a count read before an earlier tombstone in this transaction would be stale for the same file.
        foreach (var item in Decide(policy, await Replicas(c, tx, rseId, policy.AgeBy, limit, only), age).Where(i => i.Delete))
        {
            var fresh = await Replica(c, tx, rseId, policy.AgeBy, item.Scope, item.Name);
            if (fresh is null || !Verdict(policy, fresh, age).Delete) continue;
            await c.ExecuteAsync("UPDATE replicas SET tombstone=@now, updated_at=@now WHERE scope=@Scope AND name=@Name AND rse_id=@rseId AND lock_cnt=0",
                new { now, item.Scope, item.Name, rseId }, tx);
            gone.Add(item);
        }
        return gone;
    });

    private static IReadOnlyList<RetentionItem> Decide(RetentionPolicy policy, IEnumerable<ReplicaRow> rows, DateTimeOffset now) =>
        rows.Select(r => { var v = Verdict(policy, r, now); return new RetentionItem(r.Scope, r.Name, r.Bytes, v.Delete, v.Reason); }).ToList();

    private static RetentionVerdict Verdict(RetentionPolicy policy, ReplicaRow r, DateTimeOffset now) =>
        Core.Policies.Retention.Decide(policy, new RetentionCandidate((ReplicaState)r.State, r.Since, (int)r.LockCnt, (int)r.Elsewhere), now);

    private static async Task<(RetentionPolicy, string RseId)> Policy(DbConnection c, DbTransaction? tx, string rse)
    {
        var r = await RseCatalog.Get(c, tx, rse);
        var p = await c.QuerySingleOrDefaultAsync<PolicyRow>("SELECT rse_id AS rseid, min_copies AS mincopies, min_age_seconds AS minageseconds, age_by AS ageby, created_at AS createdat, updated_at AS updatedat FROM retention_policies WHERE rse_id=@Id", r, tx)
            ?? throw FerryException.NotFound("RetentionPolicyNotFound", $"RSE {rse} has no retention policy");
        return (new RetentionPolicy((int)p.MinCopies, TimeSpan.FromSeconds(p.MinAgeSeconds), RetentionPolicy.ParseAgeBy(p.AgeBy)), r.Id);
    }

    // Verified elsewhere: AVAILABLE on a live, non-volatile RSE, and not itself waiting for the reaper.
    // The age counts from the last access when the policy says so and the replica was ever read, else from creation.
    private const string Select = """
        SELECT r.scope, r.name, r.bytes, r.state, r.lock_cnt AS lockcnt,
               CASE WHEN @byAccess=1 THEN COALESCE(r.accessed_at, r.created_at) ELSE r.created_at END AS since,
               (SELECT COUNT(*) FROM replicas o JOIN rses s ON s.id=o.rse_id
                WHERE o.scope=r.scope AND o.name=r.name AND o.rse_id<>r.rse_id AND o.state=0 AND o.tombstone IS NULL
                  AND s.deleted=0 AND s.volatile=0) AS elsewhere
        FROM replicas r WHERE r.rse_id=@rseId AND r.tombstone IS NULL
        """;

    private static async Task<IEnumerable<ReplicaRow>> Replicas(DbConnection c, DbTransaction? tx, string rseId, RetentionAge by, int limit, IReadOnlySet<(string Scope, string Name)>? only)
    {
        if (only is null)
            return await c.QueryAsync<ReplicaRow>(Select + " ORDER BY r.created_at, r.scope, r.name LIMIT @limit", new { rseId, limit, byAccess = ByAccess(by) }, tx);
        // A restricted round is one run's files, a small part of the RSE: one indexed look-up per file beats a scan.
        var rows = new List<ReplicaRow>();
        foreach (var (scope, name) in only)
            if (await Replica(c, tx, rseId, by, scope, name) is { } r) rows.Add(r);
        return rows.OrderBy(r => r.Since).ThenBy(r => r.Scope, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).Take(limit);
    }

    private static Task<ReplicaRow?> Replica(DbConnection c, DbTransaction? tx, string rseId, RetentionAge by, string scope, string name) =>
        c.QuerySingleOrDefaultAsync<ReplicaRow>(Select + " AND r.scope=@scope AND r.name=@name", new { rseId, scope, name, byAccess = ByAccess(by) }, tx);

    private static long ByAccess(RetentionAge by) => by == RetentionAge.Access ? 1 : 0;
}
