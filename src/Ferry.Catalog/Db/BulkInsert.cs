using System.Data.Common;
using Ferry.Catalog.Db.Postgres;
using NpgsqlTypes;

namespace Ferry.Catalog.Db;

/// <summary>
/// Inserts many rows in one go: binary COPY on PostgreSQL (one round trip per batch, not per row); on SQLite, which
/// runs in process, one prepared statement executed per row. Values are what the portable schema stores: strings,
/// integers (enums, bools as 0/1, times as unix milliseconds), doubles, or null.
/// </summary>
public static class BulkInsert
{
    public static async Task RunAsync(DbConnection c, DbTransaction tx, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows)
    {
        if (c is PgConnection pg)
        {
            await using var copy = await pg.Inner.BeginBinaryImportAsync($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)");
            foreach (var row in rows)
            {
                await copy.StartRowAsync();
                foreach (var value in row)
                {
                    switch (Portable(value))
                    {
                        case null: await copy.WriteNullAsync(); break;
                        case string s: await copy.WriteAsync(s, NpgsqlDbType.Text); break;
                        case long l: await copy.WriteAsync(l, NpgsqlDbType.Bigint); break;
                        case double d: await copy.WriteAsync(d, NpgsqlDbType.Double); break;
                        case var other: throw new ArgumentException($"cannot COPY a {other.GetType().Name} into {table}");
                    }
                }
            }
            await copy.CompleteAsync();
            return;
        }
        await using var insert = c.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
        var ps = columns.Select((_, i) =>
        {
            var p = insert.CreateParameter();
            p.ParameterName = "@p" + i;
            insert.Parameters.Add(p);
            return p;
        }).ToArray();
        insert.Prepare();
        foreach (var row in rows)
        {
            for (var i = 0; i < ps.Length; i++) ps[i].Value = Portable(row[i]) ?? DBNull.Value;
            await insert.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A value as the schema stores it.</summary>
    public static object? Portable(object? value) => value switch
    {
        null => null,
        string s => s,
        long l => l,
        int i => (long)i,
        bool b => b ? 1L : 0L,
        DateTimeOffset t => t.ToUnixTimeMilliseconds(),
        Enum e => Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture),
        double d => d,
        _ => value,
    };
}
