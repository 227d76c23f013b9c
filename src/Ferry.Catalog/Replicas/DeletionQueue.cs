using Dapper;
using Ferry.Catalog.Db;
using Ferry.Core.Model;

namespace Ferry.Catalog.Replicas;

/// <summary>A replica the reaper may delete, with where its bytes are.</summary>
public sealed record DeletionCandidate
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string RseId { get; init; }
    public string? Path { get; init; }
}

/// <summary>
/// The reaper's queue: replicas whose tombstone has passed and that no lock holds. They are marked BEING_DELETED
/// before the bytes go, and the row is removed only after the bytes are gone, so a crash at any point is retried.
/// </summary>
public sealed class DeletionQueue(ICatalogDatabase db, TimeProvider clock)
{
    /// <param name="purgedOnly">Only replicas whose rule purged them (tombstone at the epoch), for an RSE that keeps the rest as a cache.</param>
    public Task<IReadOnlyList<DeletionCandidate>> ClaimAsync(string rseId, int limit, bool purgedOnly = false) => db.WriteAsync<IReadOnlyList<DeletionCandidate>>(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        // Never the last AVAILABLE replica of a file that some rule still holds a lock on (elsewhere, still being
        // copied or stuck): that copy is the source the rule is waiting for.
        var due = (await c.QueryAsync<DeletionCandidate>("""
            SELECT r.scope, r.name, r.rse_id, r.path FROM replicas r
            WHERE r.rse_id=@rseId AND r.tombstone IS NOT NULL AND r.tombstone<=@now AND r.lock_cnt=0 AND (@purgedOnly=0 OR r.tombstone=0)
              AND NOT EXISTS (SELECT 1 FROM locks h WHERE h.scope=r.scope AND h.name=r.name AND h.rse_id=r.rse_id)
              AND NOT (r.state=0
                       AND EXISTS (SELECT 1 FROM locks l WHERE l.scope=r.scope AND l.name=r.name)
                       AND NOT EXISTS (SELECT 1 FROM replicas o WHERE o.scope=r.scope AND o.name=r.name AND o.rse_id<>r.rse_id AND o.state=0))
            ORDER BY r.tombstone LIMIT @limit
            """, new { rseId, now, limit, purgedOnly }, tx)).AsList();
        foreach (var d in due)
            await c.ExecuteAsync("UPDATE replicas SET state=@s, updated_at=@now WHERE scope=@Scope AND name=@Name AND rse_id=@RseId",
                new { s = ReplicaState.BeingDeleted, now, d.Scope, d.Name, d.RseId }, tx);
        return due;
    });

    /// <summary>The bytes are gone. If a rule locked the replica meanwhile it stays as UNAVAILABLE so the rule re-creates it.</summary>
    public Task FinishAsync(DeletionCandidate d) => db.WriteAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        var locks = await c.ExecuteScalarAsync<long?>("SELECT lock_cnt FROM replicas WHERE scope=@Scope AND name=@Name AND rse_id=@RseId", d, tx);
        if (locks is null) return 0;
        if (locks > 0)
        {
            await c.ExecuteAsync("UPDATE replicas SET state=@s, tombstone=NULL, updated_at=@now WHERE scope=@Scope AND name=@Name AND rse_id=@RseId",
                new { s = ReplicaState.Unavailable, now, d.Scope, d.Name, d.RseId }, tx);
            return await c.ExecuteAsync("UPDATE rules SET needs_eval=1 WHERE id IN (SELECT rule_id FROM locks WHERE scope=@Scope AND name=@Name AND rse_id=@RseId)", d, tx);
        }
        return await c.ExecuteAsync("DELETE FROM replicas WHERE scope=@Scope AND name=@Name AND rse_id=@RseId", d, tx);
    });
}
