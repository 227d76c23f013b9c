using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Ferry.Catalog.Db;

/// <summary>
/// Where the catalogue lives. The SQLite implementation is the embedded default; a PostgreSQL one supplies its own
/// connections and the same schema. Services see only <see cref="ReadAsync"/> and <see cref="WriteAsync"/>.
/// </summary>
public interface ICatalogDatabase
{
    Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default);
    /// <summary>Runs <paramref name="work"/> in one transaction: every multi-row change commits whole or not at all.</summary>
    Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default);

    /// <summary>
    /// A write that locks the rows it depends on itself: queue claims (SELECT … FOR UPDATE SKIP LOCKED, then UPDATE)
    /// and transfer completions (the request's row, then the rule's). PostgreSQL runs it READ COMMITTED, where workers
    /// cause each other no serialization failures; SQLite as any other write.
    /// </summary>
    Task<T> ClaimAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) => WriteAsync(work, ct);

    /// <summary>
    /// A one-statement read that runs on nearly every request (a DID's row, the RSE list): the store may keep it
    /// prepared. Parameters are text, named without the @. Rows are mapped by Dapper, as <c>QueryAsync&lt;T&gt;</c> maps them.
    /// </summary>
    Task<IReadOnlyList<T>> ReadPreparedAsync<T>(string sql, params (string Name, string Value)[] args) => ReadAsync<IReadOnlyList<T>>(async c =>
    {
        var parameters = new DynamicParameters();
        foreach (var (name, value) in args) parameters.Add(name, value);
        return (await c.QueryAsync<T>(sql, parameters)).AsList();
    });
}

public sealed class SqliteCatalogDatabase : ICatalogDatabase
{
    private readonly string _connectionString;
    // SQLite has one writer; queueing writers in-process avoids SQLITE_BUSY storms under load.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly WalCheckpointer _checkpointer;
    private readonly PreparedReads _prepared;

    static SqliteCatalogDatabase() => DapperSetup.Configure();

    public SqliteCatalogDatabase(string path, bool migrate = true)
    {
        Path = path;
        _checkpointer = new WalCheckpointer(Open, TimeProvider.System);
        _prepared = new PreparedReads(Open);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30,
        }.ToString();
        using var c = Open();
        c.Execute("PRAGMA journal_mode=WAL;");
        if (migrate) Migrate(c);
    }

    /// <summary>The newest schema version applied (0 for a new file).</summary>
    public long Version()
    {
        using var c = Open();
        return c.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='schema_version'") == 0 ? 0
            : c.ExecuteScalar<long?>("SELECT MAX(version) FROM schema_version") ?? 0;
    }

    public string Path { get; }

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        // The settings belong to the native connection, which the pool keeps open between uses: set them once per
        // native connection, not on every open (two statements that cost as much as a small query).
        if (Configured.TryGetValue(c.Handle!, out _)) return c;
        // A large page cache keeps big transactions (a rule over 100,000 files) from thrashing; temp tables stay in memory.
        c.Execute($"PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint={WalCheckpointer.BackstopPages};");
        // DID names are case-sensitive (Rucio's, and LIKE on PostgreSQL): a search for 'Run*' must not list 'run_1'.
        c.Execute("PRAGMA case_sensitive_like=ON;");
        Configured.AddOrUpdate(c.Handle!, Marker);
        return c;
    }

    // Native connections already configured; weak, so a connection the pool closes leaves nothing behind.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = new();
    private static readonly object Marker = new();

    /// <summary>Applies the migrations not yet applied; returns their versions.</summary>
    public IReadOnlyList<int> Migrate()
    {
        using var c = Open();
        return Migrate(c);
    }

    private static List<int> Migrate(SqliteConnection c)
    {
        var applied = new List<int>();
        c.Execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        var current = c.ExecuteScalar<long?>("SELECT MAX(version) FROM schema_version") ?? 0;
        foreach (var (version, sql) in Migrations.All.Where(m => m.Version > current))
        {
            using var tx = c.BeginTransaction();
            c.Execute(sql, transaction: tx);
            c.Execute("INSERT INTO schema_version(version) VALUES (@version)", new { version }, tx);
            tx.Commit();
            applied.Add(version);
        }
        return applied;
    }

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default)
    {
        await using var c = Open();
        return await work(c);
    }

    public Task<IReadOnlyList<T>> ReadPreparedAsync<T>(string sql, params (string Name, string Value)[] args) => _prepared.QueryAsync<T>(sql, args);

    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            await using var c = Open();
            await using var tx = await c.BeginTransactionAsync(IsolationLevel.Serializable, ct);
            var result = await work(c, tx);
            await tx.CommitAsync(ct);
            _checkpointer.Committed();
            return result;
        }
        finally { _writeGate.Release(); }
    }
}

internal static class DapperSetup
{
    private static int _done;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        // Dapper treats DateTimeOffset as a built-in; removing the map lets the handler store unix milliseconds.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new UnixMillisHandler());
        SqlMapper.AddTypeHandler(new BoolHandler());
    }

    private sealed class UnixMillisHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = value.ToUnixTimeMilliseconds();
        }

        public override DateTimeOffset Parse(object value) => DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed class BoolHandler : SqlMapper.TypeHandler<bool>
    {
        public override void SetValue(IDbDataParameter parameter, bool value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = value ? 1L : 0L;
        }

        public override bool Parse(object value) => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) != 0;
    }
}
