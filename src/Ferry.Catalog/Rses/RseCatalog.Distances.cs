using Dapper;

namespace Ferry.Catalog.Rses;

public sealed partial class RseCatalog
{
    /// <summary>Every distance between RSEs that are not deleted, with both names (Rucio's export).</summary>
    public Task<IReadOnlyList<RseDistance>> AllDistancesAsync() => db.ReadAsync<IReadOnlyList<RseDistance>>(async c =>
        (await c.QueryAsync<RseDistance>("""
            SELECT x.src_rse_id, x.dest_rse_id, s.name AS src_rse, d.name AS dest_rse, x.distance, x.created_at, x.updated_at
            FROM distances x JOIN rses s ON s.id=x.src_rse_id AND s.deleted=0 JOIN rses d ON d.id=x.dest_rse_id AND d.deleted=0
            ORDER BY s.name, d.name
            """)).AsList());
}
