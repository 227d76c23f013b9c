using Dapper;
using Ferry.Catalog.Db;

namespace Ferry.Catalog.Metrics;

public sealed record QueueDepth(string Label, long Count);

public sealed record QueueSnapshot(IReadOnlyList<(string State, string Destination, long Count)> Transfers, IReadOnlyList<QueueDepth> Deletions)
{
    public static readonly QueueSnapshot Empty = new([], []);
}

/// <summary>
/// Cheap reads for /metrics and readiness: each query is answered from an index (requests by state, replicas with a
/// tombstone), so a scrape every few seconds costs little even with millions of rows elsewhere.
/// </summary>
public sealed class CatalogProbe(ICatalogDatabase db, TimeProvider clock)
{
    public static int ExpectedSchemaVersion => Migrations.All.Max(m => m.Version);

    /// <summary>The schema version the store reports (a query that also proves the store answers).</summary>
    public Task<long> SchemaVersionAsync(CancellationToken ct) => db.ReadAsync(async c =>
        await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(version) FROM schema_version", cancellationToken: ct)) ?? 0, ct);

    /// <summary>Transfer requests waiting or running (by state and destination), and replicas due for deletion (by RSE).</summary>
    public Task<QueueSnapshot> QueuesAsync(CancellationToken ct) => db.ReadAsync(async c =>
    {
        var transfers = (await c.QueryAsync<(long State, string Destination, long Count)>(new CommandDefinition("""
            SELECT q.state, d.name, q.n FROM (SELECT state, dest_rse_id, COUNT(*) AS n FROM requests WHERE state IN (0, 1) GROUP BY state, dest_rse_id) q
            JOIN rses d ON d.id = q.dest_rse_id
            """, cancellationToken: ct)))
            .Select(r => (r.State == 0 ? "QUEUED" : "SUBMITTED", r.Destination, r.Count)).ToList();
        var now = clock.GetUtcNow();
        var deletions = (await c.QueryAsync<(string Rse, long Count)>(new CommandDefinition("""
            SELECT d.name, q.n FROM (SELECT rse_id, COUNT(*) AS n FROM replicas WHERE tombstone IS NOT NULL AND tombstone <= @now AND lock_cnt = 0 GROUP BY rse_id) q
            JOIN rses d ON d.id = q.rse_id
            """, new { now }, cancellationToken: ct)))
            .Select(r => new QueueDepth(r.Rse, r.Count)).ToList();
        return new QueueSnapshot(transfers, deletions);
    }, ct);
}
