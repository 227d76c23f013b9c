using Dapper;
using Ferry.Catalog.Db;

namespace Ferry.Catalog.Audit;

/// <summary>One write (or login) as the server saw it. Never holds a secret: no headers, bodies or query strings.</summary>
public sealed record AuditEntry
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string? Account { get; init; }
    public string? Identity { get; init; }
    public string? AuthType { get; init; }
    public required string Method { get; init; }
    public required string Route { get; init; }
    public required string Path { get; init; }
    public string? Target { get; init; }
    public int Status { get; init; }
    public string? Remote { get; init; }
}

/// <summary>The audit log: append-only from the server, read by admins.</summary>
public sealed class AuditCatalog(ICatalogDatabase db)
{
    public const int MaxLimit = 10_000;

    public Task AddAsync(AuditEntry e) => db.WriteAsync(async (c, tx) => await c.ExecuteAsync("""
        INSERT INTO audit_log(at,account,identity,auth_type,method,route,path,target,status,remote)
        VALUES (@At,@Account,@Identity,@AuthType,@Method,@Route,@Path,@Target,@Status,@Remote)
        """, e, tx));

    /// <summary>
    /// With <paramref name="since"/>: entries from then on, oldest first (for paging). Without: the latest
    /// <paramref name="limit"/> entries, still in time order. Optionally of one (acting) account.
    /// </summary>
    public Task<IReadOnlyList<AuditEntry>> ListAsync(string? account, DateTimeOffset? since, int limit) =>
        db.ReadAsync<IReadOnlyList<AuditEntry>>(async c =>
        {
            var args = new { account, since = since ?? DateTimeOffset.UnixEpoch, limit = Math.Clamp(limit, 1, MaxLimit) };
            const string Columns = "SELECT id, at, account, identity, auth_type, method, route, path, target, status, remote FROM audit_log";
            if (since is not null)
                return (await c.QueryAsync<AuditEntry>($"{Columns} WHERE (@account IS NULL OR account=@account) AND at >= @since ORDER BY at, id LIMIT @limit", args)).AsList();
            var latest = (await c.QueryAsync<AuditEntry>($"{Columns} WHERE (@account IS NULL OR account=@account) ORDER BY at DESC, id DESC LIMIT @limit", args)).AsList();
            latest.Reverse();
            return latest;
        });
}
