using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Npgsql;

namespace Ferry.Catalog.Db.Postgres;

/// <summary>
/// An <see cref="NpgsqlConnection"/> as the catalogue sees it. The thin wrapper exists for two reasons:
/// Dapper passes list parameters to Npgsql connections as arrays (so "x IN @list" would need "= ANY(@list)"), and
/// booleans as PostgreSQL booleans while the portable schema stores them as 0/1 integers. Under this wrapper Dapper
/// expands lists and binds booleans exactly as it does for SQLite, so the catalogue's SQL is written once.
/// <see cref="Inner"/> gives bulk paths the real connection for binary COPY.
/// </summary>
public sealed class PgConnection(NpgsqlConnection inner) : DbConnection
{
    public NpgsqlConnection Inner { get; } = inner;

    [AllowNull]
    public override string ConnectionString { get => Inner.ConnectionString; set => Inner.ConnectionString = value; }
    public override string Database => Inner.Database;
    public override string DataSource => Inner.DataSource;
    public override string ServerVersion => Inner.ServerVersion;
    public override ConnectionState State => Inner.State;
    public override void ChangeDatabase(string databaseName) => Inner.ChangeDatabase(databaseName);
    public override void Close() => Inner.Close();
    public override void Open() => Inner.Open();
    public override Task OpenAsync(CancellationToken cancellationToken) => Inner.OpenAsync(cancellationToken);
    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => Inner.BeginTransaction(isolationLevel);
    protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken) =>
        await Inner.BeginTransactionAsync(isolationLevel, cancellationToken);
    protected override DbCommand CreateDbCommand() => new PgCommand(this, Inner.CreateCommand());

    protected override void Dispose(bool disposing)
    {
        if (disposing) Inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => Inner.DisposeAsync();
}

internal sealed class PgCommand(PgConnection connection, NpgsqlCommand inner) : DbCommand
{
    [AllowNull]
    public override string CommandText { get => inner.CommandText; set => inner.CommandText = value; }
    public override int CommandTimeout { get => inner.CommandTimeout; set => inner.CommandTimeout = value; }
    public override CommandType CommandType { get => inner.CommandType; set => inner.CommandType = value; }
    public override bool DesignTimeVisible { get => inner.DesignTimeVisible; set => inner.DesignTimeVisible = value; }
    public override UpdateRowSource UpdatedRowSource { get => inner.UpdatedRowSource; set => inner.UpdatedRowSource = value; }
    protected override DbConnection? DbConnection { get => connection; set { } }
    protected override DbParameterCollection DbParameterCollection => inner.Parameters;
    protected override DbTransaction? DbTransaction { get => inner.Transaction; set => inner.Transaction = (NpgsqlTransaction?)value; }
    public override void Cancel() => inner.Cancel();
    protected override DbParameter CreateDbParameter() => inner.CreateParameter();
    public override void Prepare() => inner.Prepare();
    public override Task PrepareAsync(CancellationToken cancellationToken = default) => inner.PrepareAsync(cancellationToken);

    public override int ExecuteNonQuery() { Bind(); return inner.ExecuteNonQuery(); }
    public override object? ExecuteScalar() { Bind(); return inner.ExecuteScalar(); }
    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) { Bind(); return inner.ExecuteReader(behavior); }
    public override Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken) { Bind(); return inner.ExecuteNonQueryAsync(cancellationToken); }
    public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken) { Bind(); return inner.ExecuteScalarAsync(cancellationToken); }
    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        Bind();
        return await inner.ExecuteReaderAsync(behavior, cancellationToken);
    }

    // The schema keeps flags as 0/1 integers (as SQLite does): a boolean parameter is bound as one.
    private void Bind()
    {
        foreach (NpgsqlParameter p in inner.Parameters)
            if (p.Value is bool b) { p.DbType = DbType.Int64; p.Value = b ? 1L : 0L; }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
