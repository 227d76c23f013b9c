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

    /// <summary>When it was last re-read, unix ms; 0 for never.</summary>
    public long CheckedAt { get; init; }
}

/// <summary>Which AVAILABLE replicas of an RSE to re-read next: never checked first, then the longest unchecked.</summary>
public sealed class ChecksumAuditQueue(ICatalogDatabase db, TimeProvider clock)
{
    /// <param name="only">The files a restricted round may touch (`ferry site run --dids`); null for the whole RSE.</param>
    public Task<(string RseId, IReadOnlyList<AuditItem> Items)> NextAsync(string rse, int limit, IReadOnlySet<(string Scope, string Name)>? only = null) =>
        db.ReadAsync<(string, IReadOnlyList<AuditItem>)>(async c =>
    {
        var r = await RseCatalog.Get(c, null, rse);
        if (only is null)
            return (r.Id, (await c.QueryAsync<AuditItem>(Select + " ORDER BY COALESCE(r.checked_at, 0), r.scope, r.name LIMIT @limit", new { r.Id, limit })).AsList());
        // One run's files: an indexed look-up each, then the same order as the whole-RSE round.
        var picked = new List<AuditItem>();
        foreach (var (scope, name) in only)
            picked.AddRange(await c.QueryAsync<AuditItem>(Select + " AND r.scope=@scope AND r.name=@name", new { r.Id, scope, name }));
        return (r.Id, picked.OrderBy(x => x.CheckedAt).ThenBy(x => x.Scope, StringComparer.Ordinal).ThenBy(x => x.Name, StringComparer.Ordinal).Take(limit).ToList());
    });

    private const string Select = """
        SELECT r.scope, r.name, r.rse_id AS rseid, r.path, d.bytes, d.adler32, COALESCE(r.checked_at, 0) AS checkedat
        FROM replicas r JOIN dids d ON d.scope=r.scope AND d.name=r.name
        WHERE r.rse_id=@Id AND r.state=0 AND r.tombstone IS NULL AND d.adler32 IS NOT NULL
        """;

    public Task MarkCheckedAsync(AuditItem item) => db.WriteAsync((c, tx) =>
        c.ExecuteAsync("UPDATE replicas SET checked_at=@now WHERE scope=@Scope AND name=@Name AND rse_id=@RseId", new { now = clock.GetUtcNow(), item.Scope, item.Name, item.RseId }, tx));
}
