using Dapper;

namespace Ferry.Catalog.Rses;

/// <summary>One usage report of an RSE under a source (an outside tool's name for itself); null where not reported.</summary>
public sealed record ReportedUsage
{
    public required string Source { get; init; }
    public long? Used { get; init; }
    public long? Free { get; init; }
    public long? Files { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed partial class RseCatalog
{
    /// <summary>Records what <paramref name="source"/> reports for the RSE, replacing its last report and keeping it in the history.</summary>
    public Task ReportUsageAsync(string name, string source, long? used, long? free, long? files) => db.WriteAsync(async (c, tx) =>
    {
        var rse = await Get(c, tx, name);
        var now = clock.GetUtcNow();
        var row = new { id = rse.Id, source, used, free, files, now };
        await c.ExecuteAsync("""
            INSERT INTO rse_usage(rse_id,source,used,free,files,updated_at) VALUES (@id,@source,@used,@free,@files,@now)
            ON CONFLICT(rse_id,source) DO UPDATE SET used=excluded.used, free=excluded.free, files=excluded.files, updated_at=excluded.updated_at
            """, row, tx);
        return await c.ExecuteAsync("INSERT INTO rse_usage_history(rse_id,source,used,free,files,updated_at) VALUES (@id,@source,@used,@free,@files,@now)", row, tx);
    });

    /// <summary>The last report of each source, or of <paramref name="source"/> only.</summary>
    public Task<IReadOnlyList<ReportedUsage>> ReportedUsageAsync(string rseId, string? source) => db.ReadAsync<IReadOnlyList<ReportedUsage>>(async c =>
        (await c.QueryAsync<ReportedUsage>(
            "SELECT source, used, free, files, updated_at FROM rse_usage WHERE rse_id=@rseId" + BySource(source) + " ORDER BY source",
            new { rseId, source })).AsList());

    /// <summary>Every report, newest first.</summary>
    public Task<IReadOnlyList<ReportedUsage>> UsageHistoryAsync(string rseId, string? source) => db.ReadAsync<IReadOnlyList<ReportedUsage>>(async c =>
        (await c.QueryAsync<ReportedUsage>(
            "SELECT source, used, free, files, updated_at FROM rse_usage_history WHERE rse_id=@rseId" + BySource(source) + " ORDER BY id DESC",
            new { rseId, source })).AsList());

    /// <summary>Every account's files and bytes on the RSE (0 where it has none) and its quota there (null where none is set).</summary>
    public Task<IReadOnlyList<(string Account, long Files, long Bytes, long? Quota)>> AccountUsageAsync(string rseId) =>
        db.ReadAsync<IReadOnlyList<(string, long, long, long?)>>(async c => (await c.QueryAsync<(string, long, long, long?)>("""
            SELECT a.name, COALESCE(u.files, 0), COALESCE(u.bytes, 0), l.bytes
            FROM accounts a
            LEFT JOIN account_usage u ON u.account = a.name AND u.rse_id = @rseId
            LEFT JOIN account_limits l ON l.account = a.name AND l.rse_id = @rseId
            ORDER BY a.name
            """, new { rseId })).AsList());

    // A null parameter has no type PostgreSQL can infer, so the filter is left out rather than compared with NULL.
    private static string BySource(string? source) => source is null ? "" : " AND source=@source";
}
