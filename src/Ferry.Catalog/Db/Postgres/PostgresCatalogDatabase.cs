using System.Data;
using System.Data.Common;
using Dapper;
using Npgsql;

namespace Ferry.Catalog.Db.Postgres;

/// <summary>
/// The catalogue on a PostgreSQL server, for many Ferry processes at once. Write transactions run SERIALIZABLE, the
/// isolation the embedded store gives by having one writer, and are retried whole when PostgreSQL reports a
/// serialization failure or deadlock (the work function must therefore only touch the database); from the fourth
/// attempt on a transaction runs alone (see <see cref="RunAsync{T}"/>). Queue claims run READ COMMITTED with
/// FOR UPDATE SKIP LOCKED (<see cref="ClaimAsync{T}"/>).
/// With a schema in the connection string (postgres://…?schema=NAME) the catalogue lives in that schema, created
/// on first use: many catalogues (the tests' servers) can share one database.
/// </summary>
public sealed class PostgresCatalogDatabase : ICatalogDatabase, IDisposable
{
    private const int MaxAttempts = 8;
    private const int ExclusiveAfter = 3;
    private readonly NpgsqlDataSource _source;
    private readonly Random _random;

    static PostgresCatalogDatabase() => DapperSetup.Configure();

    public PostgresCatalogDatabase(string connection, Random random, bool migrate = true)
    {
        _random = random;
        var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(connection));
        Schema = builder.SearchPath;
        if (Schema is { Length: > 0 } schema)
        {
            // The schema must exist before a pooled connection's search_path can find the tables.
            using var setup = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(builder.ConnectionString) { SearchPath = null, Pooling = false }.ConnectionString);
            setup.Open();
            setup.Execute($"CREATE SCHEMA IF NOT EXISTS {QuoteIdentifier(schema)}");
        }
        Display = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}" + (Schema is { Length: > 0 } ? $"?schema={Schema}" : "");
        _source = NpgsqlDataSource.Create(builder);
        if (migrate) MigrateAsync().GetAwaiter().GetResult();
    }

    public string? Schema { get; }
    /// <summary>Where the catalogue is, without the password.</summary>
    public string Display { get; }

    public async Task<PgConnection> OpenAsync(CancellationToken ct = default) => new(await _source.OpenConnectionAsync(ct));

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        return await work(c);
    }

    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) =>
        RunAsync(work, IsolationLevel.Serializable, ct);

    public Task<T> ClaimAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) =>
        RunAsync(work, IsolationLevel.ReadCommitted, ct);

    private async Task<T> RunAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, IsolationLevel isolation, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            // Writers hold a shared advisory lock and run concurrently. A transaction that keeps losing serialization
            // conflicts (a large rule against a busy conveyor) takes the lock exclusively on its later attempts: it
            // waits for the writers in flight, runs alone and cannot lose again. The lock is taken before BEGIN so the
            // transaction's snapshot already contains everything committed before it ran.
            var exclusive = isolation == IsolationLevel.Serializable && attempt > ExclusiveAfter;
            await using var c = await OpenAsync(ct);
            if (isolation == IsolationLevel.Serializable)
                await c.ExecuteAsync(exclusive ? "SELECT pg_advisory_lock(7878002)" : "SELECT pg_advisory_lock_shared(7878002)");
            try
            {
                await using var tx = await c.BeginTransactionAsync(isolation, ct);
                var result = await work(c, tx);
                await tx.CommitAsync(ct);
                return result;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected && attempt < MaxAttempts)
            {
                // Another transaction touched the same rows: back off with jitter and run the work again.
                await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(5, 20) * attempt), ct);
            }
            finally
            {
                if (isolation == IsolationLevel.Serializable && c.State == ConnectionState.Open)
                    await c.ExecuteAsync(exclusive ? "SELECT pg_advisory_unlock(7878002)" : "SELECT pg_advisory_unlock_shared(7878002)");
            }
        }
    }

    /// <summary>Schema versions applied, and the newest this build knows.</summary>
    public async Task<(long Current, int Latest)> VersionAsync()
    {
        await using var c = await OpenAsync();
        var exists = await c.ExecuteScalarAsync<bool>("SELECT to_regclass('schema_version') IS NOT NULL");
        var current = exists ? await c.ExecuteScalarAsync<long?>("SELECT MAX(version) FROM schema_version") ?? 0 : 0;
        return (current, Migrations.All.Max(m => m.Version));
    }

    /// <summary>
    /// Applies the migrations not yet applied, each in its own transaction. An advisory lock makes processes that start
    /// together (a server and its workers) migrate one after the other instead of racing.
    /// </summary>
    public async Task<IReadOnlyList<int>> MigrateAsync()
    {
        await using var c = await OpenAsync();
        await c.ExecuteAsync("SELECT pg_advisory_lock(7878001)");
        try
        {
            await c.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
            var current = await c.ExecuteScalarAsync<long?>("SELECT MAX(version) FROM schema_version") ?? 0;
            var applied = new List<int>();
            foreach (var (version, sql) in Migrations.All.Where(m => m.Version > current))
            {
                await using var tx = await c.BeginTransactionAsync();
                await c.ExecuteAsync(SchemaTranslator.ToPostgres(version, sql), transaction: tx);
                await c.ExecuteAsync("INSERT INTO schema_version(version) VALUES (@version)", new { version }, tx);
                await tx.CommitAsync();
                applied.Add(version);
            }
            return applied;
        }
        finally { await c.ExecuteAsync("SELECT pg_advisory_unlock(7878001)"); }
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    public void Dispose() => _source.Dispose();
}
