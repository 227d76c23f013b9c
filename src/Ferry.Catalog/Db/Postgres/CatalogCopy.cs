using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Ferry.Catalog.Db.Postgres;

/// <summary>
/// Copies an embedded (SQLite) catalogue into an empty PostgreSQL one, table by table with binary COPY, parents before
/// children so that foreign keys hold at every step; identity counters continue after the copied ids. The whole copy
/// is one transaction: a failure leaves the target as it was.
/// </summary>
public static class CatalogCopy
{
    public sealed record TableCount(string Table, long Rows);

    public static async Task<IReadOnlyList<TableCount>> CopyAsync(SqliteCatalogDatabase source, PostgresCatalogDatabase target, CancellationToken ct = default)
    {
        var sourceVersion = source.Version();
        var (targetVersion, _) = await target.VersionAsync();
        if (sourceVersion != targetVersion)
            throw new InvalidOperationException($"the source catalogue is at schema version {sourceVersion}, the target at {targetVersion}: run 'ferry db migrate' on both with the same Ferry");
        await using var src = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source.Path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await src.OpenAsync(ct);
        await using var pg = await target.OpenAsync(ct);
        var tables = await TablesInDependencyOrder(pg.Inner);
        var nonEmpty = new List<string>();
        foreach (var t in tables)
            if (await pg.ExecuteScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM {t})")) nonEmpty.Add(t);
        if (nonEmpty.Count > 0) throw new InvalidOperationException($"the target catalogue is not empty ({string.Join(", ", nonEmpty)} hold rows): copy into a new database or schema");
        var sourceTables = (await src.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type='table'")).ToHashSet();
        var counts = new List<TableCount>();
        await using var tx = await pg.Inner.BeginTransactionAsync(ct);
        foreach (var table in tables.Where(sourceTables.Contains))
        {
            var columns = (await pg.Inner.QueryAsync<(string Name, string Type)>(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema=current_schema() AND table_name=@table ORDER BY ordinal_position",
                new { table }, tx)).AsList();
            var sourceColumns = (await src.QueryAsync<string>($"SELECT name FROM pragma_table_info('{table}')")).ToHashSet();
            columns = columns.Where(c => sourceColumns.Contains(c.Name)).ToList();
            var list = string.Join(", ", columns.Select(c => c.Name));
            await using var read = src.CreateCommand();
            read.CommandText = $"SELECT {list} FROM {table}";
            await using var rows = await read.ExecuteReaderAsync(ct);
            long n = 0;
            await using (var copy = await pg.Inner.BeginBinaryImportAsync($"COPY {table} ({list}) FROM STDIN (FORMAT BINARY)", ct))
            {
                var types = columns.Select(c => TypeOf(c.Type)).ToArray();
                while (await rows.ReadAsync(ct))
                {
                    await copy.StartRowAsync(ct);
                    for (var i = 0; i < types.Length; i++)
                    {
                        if (rows.IsDBNull(i)) await copy.WriteNullAsync(ct);
                        else await copy.WriteAsync(Convert(rows, i, types[i]), types[i], ct);
                    }
                    n++;
                }
                await copy.CompleteAsync(ct);
            }
            counts.Add(new TableCount(table, n));
        }
        // Identity columns (messages.id, tasks.id) continue after the largest copied id.
        foreach (var (table, column) in await pg.Inner.QueryAsync<(string, string)>(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema=current_schema() AND is_identity='YES'", transaction: tx))
            await pg.Inner.ExecuteAsync($"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), GREATEST((SELECT MAX({column}) FROM {table}), 1))", transaction: tx);
        await tx.CommitAsync(ct);
        return counts;
    }

    private static NpgsqlDbType TypeOf(string pgType) => pgType switch
    {
        "bigint" => NpgsqlDbType.Bigint,
        "integer" => NpgsqlDbType.Integer,
        "double precision" => NpgsqlDbType.Double,
        "bytea" => NpgsqlDbType.Bytea,
        _ => NpgsqlDbType.Text,
    };

    // SQLite is loosely typed: a value is converted to the column's PostgreSQL type.
    private static object Convert(DbDataReader r, int i, NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Bigint => r.GetInt64(i),
        NpgsqlDbType.Integer => r.GetInt32(i),
        NpgsqlDbType.Double => r.GetDouble(i),
        NpgsqlDbType.Bytea => (byte[])r.GetValue(i),
        _ => System.Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>The catalogue's tables, every table after the tables its foreign keys point to.</summary>
    private static async Task<List<string>> TablesInDependencyOrder(NpgsqlConnection c)
    {
        var tables = (await c.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema=current_schema() AND table_type='BASE TABLE' AND table_name<>'schema_version' ORDER BY table_name")).AsList();
        var edges = (await c.QueryAsync<(string Child, string Parent)>("""
            SELECT cl.relname, pa.relname FROM pg_constraint k
            JOIN pg_class cl ON cl.oid=k.conrelid JOIN pg_class pa ON pa.oid=k.confrelid
            WHERE k.contype='f' AND cl.relnamespace=current_schema()::regnamespace AND cl.relname<>pa.relname
            """)).ToLookup(e => e.Child, e => e.Parent);
        var ordered = new List<string>();
        var seen = new HashSet<string>();
        void Visit(string t)
        {
            if (!seen.Add(t)) return;
            foreach (var parent in edges[t]) Visit(parent);
            ordered.Add(t);
        }
        foreach (var t in tables) Visit(t);
        return ordered;
    }
}
