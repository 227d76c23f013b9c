using System.Data.Common;
using Ferry.Catalog.Db.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ferry.Functional.Tests.Infrastructure;

/// <summary>
/// A connection of the test's own to a server's catalogue, whichever store the run uses: its SQLite file, or its
/// schema of the test PostgreSQL. Only for what the API cannot do (making a token expire) or must not be trusted to
/// report (what a refused request changed).
/// </summary>
public static class CatalogConnection
{
    public static DbConnection Open(FerryServer server, bool readOnly = false)
    {
        DbConnection c = server.Database is { } url && PostgresUrl.IsPostgres(url)
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(url)) { Pooling = false }.ConnectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(server.Home, "catalog.db"),
                Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
                Pooling = false,
            }.ToString());
        c.Open();
        return c;
    }
}
