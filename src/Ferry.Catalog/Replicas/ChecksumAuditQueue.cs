using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Rses;

namespace Ferry.Catalog.Replicas;

/// <summary>A replica due for its checksum audit, with what the catalogue says its bytes are.</summary>
public sealed record AuditItem
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string RseId { get; init; }
    public string? Path { get; init; }
    public long Bytes { get; init; }
    public string? Adler32 { get; init; }
}

/// <summary>Which AVAILABLE replicas of an RSE to re-read next: never checked first, then the longest unchecked.</summary>
public sealed class ChecksumAuditQueue(ICatalogDatabase db, TimeProvider clock)
{
    public Task<(string RseId, IReadOnlyList<AuditItem> Items)> NextAsync(string rse, int limit) => db.ReadAsync<(string, IReadOnlyList<AuditItem>)>(async c =>
    {
        var r = await RseCatalog.Get(c, null, rse);
        var items = (await c.QueryAsync<AuditItem>("""
            SELECT r.scope, r.name, r.rse_id AS rseid, r.path, d.bytes, d.adler32 FROM replicas r JOIN dids d ON d.scope=r.scope AND d.name=r.name
            WHERE r.rse_id=@Id AND r.state=0 AND r.tombstone IS NULL AND d.adler32 IS NOT NULL
            ORDER BY COALESCE(r.checked_at, 0), r.scope, r.name LIMIT @limit
            """, new { r.Id, limit })).AsList();
        return (r.Id, items);
    });

    public Task MarkCheckedAsync(AuditItem item) => db.WriteAsync((c, tx) =>
        c.ExecuteAsync("UPDATE replicas SET checked_at=@now WHERE scope=@Scope AND name=@Name AND rse_id=@RseId", new { now = clock.GetUtcNow(), item.Scope, item.Name, item.RseId }, tx));
}
