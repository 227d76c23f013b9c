using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Rules;
using Ferry.Core.Model;

namespace Ferry.Catalog.Transfers;

/// <summary>A replica a transfer can read from: disk before tape (a tape read needs staging), then nearest first.</summary>
public sealed record TransferSource
{
    public required string RseId { get; init; }
    public required string Rse { get; init; }
    public string? Path { get; init; }
    public long Distance { get; init; }
    public string RseType { get; init; } = "DISK";
}

public sealed record LinkStats
{
    public required string Source { get; init; }
    public required string Destination { get; init; }
    public long Done { get; init; }
    public long Failed { get; init; }
    public long Bytes { get; init; }
    /// <summary>Every failed attempt, including those retried successfully later.</summary>
    public long FailedAttempts { get; init; }
    /// <summary>Bytes of completed transfers over the time their last attempts took (the link's rate while busy).</summary>
    public long BytesPerSecond { get; init; }
}

/// <summary>
/// The conveyor's queue. A worker claims requests with a lease; a lease that runs out (the worker died) lets another
/// worker take the request again. Outcomes are recorded in the same transaction as the replica and lock changes.
/// </summary>
public sealed class TransferCatalog(ICatalogDatabase db, TimeProvider clock, Random random)
{
    public int MaxAttempts { get; init; } = 3;
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    internal static async Task Queue(DbConnection c, DbTransaction tx, Did file, string destRseId, DateTimeOffset now, string? sourceExpression = null)
    {
        var active = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM requests WHERE scope=@Scope AND name=@Name AND dest_rse_id=@destRseId AND state IN (0,1)",
            new { file.Scope, file.Name, destRseId }, tx);
        if (active > 0) return;
        await c.ExecuteAsync("""
            INSERT INTO requests(id,scope,name,dest_rse_id,state,attempts,bytes,adler32,md5,source_expression,next_attempt_at,created_at,updated_at)
            VALUES (@id,@Scope,@Name,@destRseId,0,0,@bytes,@Adler32,@Md5,@sourceExpression,@now,@now,@now)
            """, new { id = Guid.NewGuid().ToString("N"), file.Scope, file.Name, destRseId, bytes = file.Bytes ?? 0, file.Adler32, file.Md5, sourceExpression, now }, tx);
    }

    internal static Task Cancel(DbConnection c, DbTransaction tx, string scope, string name, string destRseId, DateTimeOffset now) => c.ExecuteAsync("""
        UPDATE requests SET state=3, last_error='cancelled: no rule needs this replica any more', finished_at=@now, updated_at=@now
        WHERE scope=@scope AND name=@name AND dest_rse_id=@destRseId AND state IN (0,1)
        """, new { now, scope, name, destRseId }, tx);

    /// <summary>
    /// Claims up to <paramref name="limit"/> due requests: queued ones whose time has come, and ones whose lease ran out.
    /// On PostgreSQL the rows are locked with SKIP LOCKED, so workers claiming at once take disjoint sets and never
    /// wait for each other; the UPDATE re-checks the state so a row is never claimed twice on either store.
    /// </summary>
    public Task<IReadOnlyList<TransferRequest>> ClaimAsync(string owner, int limit) => db.ClaimAsync<IReadOnlyList<TransferRequest>>(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        var dialect = SqlDialect.For(c);
        // Leases that ran out first (few: only transfers in flight hold one), then each writable RSE's queue from its own
        // index range, so a backlog on an RSE blocked for writes is never read.
        var due = (await c.QueryAsync<TransferRequest>($"""
            SELECT q.* FROM requests q JOIN rses d ON d.id=q.dest_rse_id
            WHERE q.state=1 AND q.lease_until<@now AND d.availability_write=1
            ORDER BY q.next_attempt_at LIMIT @limit {dialect.SkipLocked("q")}
            """, new { now, limit }, tx)).AsList();
        // PostgreSQL plans the correlated IN as a filter over the whole table; LATERAL walks each RSE's range, and locks
        // what it reads there with SKIP LOCKED so that concurrent workers take the next rows, not none.
        if (due.Count < limit)
            due.AddRange(await c.QueryAsync<TransferRequest>(c is Db.Postgres.PgConnection ? """
                SELECT q.* FROM rses d CROSS JOIN LATERAL (
                    SELECT x.* FROM requests x WHERE x.state=0 AND x.dest_rse_id=d.id AND x.next_attempt_at<=@now
                    ORDER BY x.next_attempt_at LIMIT @rest FOR UPDATE OF x SKIP LOCKED) q
                WHERE d.availability_write=1
                ORDER BY q.next_attempt_at LIMIT @rest
                """ : """
                SELECT q.* FROM rses d CROSS JOIN requests q ON q.id IN (
                    SELECT x.id FROM requests x WHERE x.state=0 AND x.dest_rse_id=d.id AND x.next_attempt_at<=@now
                    ORDER BY x.next_attempt_at LIMIT @rest)
                WHERE d.availability_write=1
                ORDER BY q.next_attempt_at LIMIT @rest
                """, new { now, rest = limit - due.Count }, tx));
        if (due.Count == 0) return due;
        var ids = due.Select(r => r.Id).ToArray();
        var claimed = (await c.QueryAsync<string>("""
            UPDATE requests SET state=1, lease_owner=@owner, lease_until=@until, started_at=@now, updated_at=@now
            WHERE id IN @ids AND (state=0 OR (state=1 AND lease_until<@now)) RETURNING id
            """, new { owner, until = now + Lease, now, ids }, tx)).ToHashSet();
        return due.Where(r => claimed.Contains(r.Id)).ToList();
    });

    /// <summary>Keeps a long transfer's claim alive.</summary>
    public Task RenewAsync(string id, string owner) => db.ClaimAsync((c, tx) =>
        c.ExecuteAsync("UPDATE requests SET lease_until=@until WHERE id=@id AND lease_owner=@owner AND state=1",
            new { until = clock.GetUtcNow() + Lease, id, owner }, tx));

    /// <summary>Owners of the leases now held (state SUBMITTED), for a starting worker to find its dead predecessors.</summary>
    public Task<IReadOnlyList<string>> LeaseOwnersAsync() => db.ReadAsync<IReadOnlyList<string>>(async c =>
        (await c.QueryAsync<string>("SELECT DISTINCT lease_owner FROM requests WHERE state=1 AND lease_owner IS NOT NULL")).AsList());

    /// <summary>
    /// Returns the requests leased by these owners to the queue at once (their processes are known dead), instead of
    /// waiting for the leases to run out. Leases of live workers are never touched.
    /// </summary>
    public Task<int> ReleaseLeasesAsync(IReadOnlyCollection<string> owners) => owners.Count == 0 ? Task.FromResult(0) : db.WriteAsync((c, tx) =>
        c.ExecuteAsync("UPDATE requests SET state=0, lease_owner=NULL, lease_until=0 WHERE state=1 AND lease_owner IN @owners", new { owners }, tx));

    /// <summary>AVAILABLE replicas on readable RSEs, nearest first, restricted to the request's source expression when it has one.</summary>
    public Task<IReadOnlyList<TransferSource>> SourcesAsync(TransferRequest r) => db.ReadAsync<IReadOnlyList<TransferSource>>(async c =>
    {
        var all = await Sources(c, null, r.Scope, r.Name, r.DestRseId);
        if (r.SourceExpression is null) return all;
        var allowed = Core.Expressions.RseExpression.Parse(r.SourceExpression).Evaluate(await Rses.RseCatalog.Facts(c, null)).ToHashSet();
        return all.Where(s => allowed.Contains(s.Rse)).ToList();
    });

    internal static async Task<IReadOnlyList<TransferSource>> Sources(DbConnection c, DbTransaction? tx, string scope, string name, string destRseId) =>
        (await c.QueryAsync<TransferSource>("""
            SELECT r.rse_id, s.name AS rse, r.path, COALESCE(d.distance, 100) AS distance, s.rse_type AS rsetype
            FROM replicas r JOIN rses s ON s.id=r.rse_id LEFT JOIN distances d ON d.src_rse_id=r.rse_id AND d.dest_rse_id=@destRseId
            WHERE r.scope=@scope AND r.name=@name AND r.state=0 AND r.rse_id<>@destRseId AND s.availability_read=1 AND s.deleted=0
            ORDER BY CASE WHEN s.rse_type='TAPE' THEN 1 ELSE 0 END, distance, s.name
            """, new { scope, name, destRseId }, tx)).AsList();

    /// <summary>The bytes are on the destination and verified: the replica is AVAILABLE and its locks OK, in one step.</summary>
    /// <remarks>
    /// On PostgreSQL this runs READ COMMITTED like the claim: under SERIALIZABLE, workers completing transfers of the
    /// same rule kept failing each other on the rule's counters and retrying. The request's row lock (state=1 is
    /// re-checked after any wait) and the rule's row lock taken by the recount keep it exact.
    /// </remarks>
    public Task<bool> CompleteAsync(TransferRequest r, string sourceRseId) => db.ClaimAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        var n = await c.ExecuteAsync("UPDATE requests SET state=2, source_rse_id=@sourceRseId, finished_at=@now, updated_at=@now WHERE id=@Id AND state=1",
            new { sourceRseId, now, r.Id }, tx);
        if (n == 0) return false; // cancelled meanwhile: the reaper removes what was written
        await c.ExecuteAsync("UPDATE replicas SET state=0, updated_at=@now WHERE scope=@Scope AND name=@Name AND rse_id=@DestRseId",
            new { now, r.Scope, r.Name, r.DestRseId }, tx);
        await RuleReconciler.OnReplicaAvailable(c, tx, r.Scope, r.Name, r.DestRseId, now);
        return true;
    });

    /// <summary>Retries transient errors with exponential backoff and jitter; after the last attempt, or at once for a permanent error, the locks are STUCK.</summary>
    public Task FailAsync(TransferRequest r, string error, bool permanent, string? sourceRseId) => db.WriteAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        var attempts = r.Attempts + 1;
        if (!permanent && attempts < MaxAttempts)
        {
            var delay = Backoff(attempts, random);
            return await c.ExecuteAsync("""
                UPDATE requests SET state=0, attempts=@attempts, last_error=@error, source_rse_id=@sourceRseId, next_attempt_at=@next,
                lease_owner=NULL, lease_until=0, updated_at=@now WHERE id=@Id AND state=1
                """, new { attempts, error, sourceRseId, next = now + delay, now, r.Id }, tx);
        }
        var n = await c.ExecuteAsync("""
            UPDATE requests SET state=3, attempts=@attempts, last_error=@error, source_rse_id=@sourceRseId, finished_at=@now, updated_at=@now
            WHERE id=@Id AND state=1
            """, new { attempts, error, sourceRseId, now, r.Id }, tx);
        if (n == 0) return 0;
        await c.ExecuteAsync("UPDATE replicas SET state=1, updated_at=@now WHERE scope=@Scope AND name=@Name AND rse_id=@DestRseId AND state=2",
            new { now, r.Scope, r.Name, r.DestRseId }, tx);
        var rules = (await c.QueryAsync<string>("SELECT rule_id FROM locks WHERE scope=@Scope AND name=@Name AND rse_id=@DestRseId", r, tx)).AsList();
        await c.ExecuteAsync("UPDATE locks SET state=2, updated_at=@now WHERE scope=@Scope AND name=@Name AND rse_id=@DestRseId AND state=0",
            new { now, r.Scope, r.Name, r.DestRseId }, tx);
        await c.ExecuteAsync("UPDATE rules SET error=@error WHERE id IN @rules", new { error = $"Transfer of {r.Scope}:{r.Name} failed: {error}", rules }, tx);
        foreach (var id in rules) await RuleReconciler.Recount(c, tx, id, now);
        return n;
    });

    internal static TimeSpan Backoff(int attempts, Random random) =>
        TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, attempts)) * (0.75 + random.NextDouble() * 0.5));

    public Task<IReadOnlyList<TransferRequest>> ListAsync(string? state, int limit) => db.ReadAsync<IReadOnlyList<TransferRequest>>(async c =>
        (await c.QueryAsync<TransferRequest>("SELECT * FROM requests WHERE @state IS NULL OR state=@state ORDER BY updated_at DESC LIMIT @limit",
            new { state = state is null ? (int?)null : (int)Enum.Parse<RequestState>(state, true), limit })).AsList());

    /// <summary>Per-link counts for the API: finished, failed and bytes moved.</summary>
    public Task<IReadOnlyList<LinkStats>> LinkStatsAsync() => db.ReadAsync<IReadOnlyList<LinkStats>>(async c =>
        (await c.QueryAsync<LinkStats>("""
            SELECT COALESCE(s.name,'?') AS source, d.name AS destination, SUM(CASE WHEN r.state=2 THEN 1 ELSE 0 END) AS done,
                   SUM(CASE WHEN r.state=3 THEN 1 ELSE 0 END) AS failed, SUM(CASE WHEN r.state=2 THEN r.bytes ELSE 0 END) AS bytes,
                   SUM(r.attempts) AS failed_attempts,
                   COALESCE(SUM(CASE WHEN r.state=2 THEN r.bytes ELSE 0 END) * 1000
                            / NULLIF(SUM(CASE WHEN r.state=2 THEN CASE WHEN r.finished_at - r.started_at > 1 THEN r.finished_at - r.started_at ELSE 1 END ELSE 0 END), 0), 0) AS bytes_per_second
            FROM requests r JOIN rses d ON d.id=r.dest_rse_id LEFT JOIN rses s ON s.id=r.source_rse_id
            GROUP BY s.name, d.name ORDER BY d.name
            """)).AsList());
}
