using Dapper;
using Ferry.Catalog.Db;
using Ferry.Core.Traces;

namespace Ferry.Catalog.Replicas;

/// <summary>
/// Last access per replica (<c>replicas.accessed_at</c>), from the traces clients send after a read; retention
/// with <c>age_by=access</c> counts a replica's age from it. An access to a replica the catalogue does not have
/// changes nothing: traces are fire-and-forget reports, not requests.
/// </summary>
public sealed class AccessCatalog(ICatalogDatabase db, TimeProvider clock)
{
    /// <summary>Returns whether a replica was found and touched.</summary>
    public Task<bool> RecordAsync(ReplicaAccess access) => db.WriteAsync(async (c, tx) => await c.ExecuteAsync("""
        UPDATE replicas SET accessed_at=@now
        WHERE scope=@Scope AND name=@Name AND rse_id=(SELECT id FROM rses WHERE name=@Rse AND deleted=0)
        """, new { now = clock.GetUtcNow(), access.Scope, access.Name, access.Rse }, tx) > 0);
}
