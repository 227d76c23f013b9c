using System.Collections.Concurrent;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Ferry.Catalog.Db;

/// <summary>
/// SQLite's side of <see cref="ICatalogDatabase.ReadPreparedAsync{T}"/>: a few connections kept open, each with its
/// statements prepared once and then only reset and re-bound. A pooled connection cannot keep them (Microsoft.Data.Sqlite
/// ties prepared statements to the command, and commands to the connection object, which is new on every open), and
/// preparing the statement was a fifth of an authenticated catalogue read. WAL readers do not block each other or the
/// writer, and a reset statement holds no snapshot, so idle connections keep nothing from checkpoints.
/// </summary>
internal sealed class PreparedReads(Func<SqliteConnection> open)
{
    // About the requests one process serves at once on two to eight cores; beyond it a connection is closed after use.
    private const int MaxIdle = 16;
    private readonly ConcurrentBag<Slot> _idle = [];

    private sealed class Slot(SqliteConnection connection) : IDisposable
    {
        public SqliteConnection Connection { get; } = connection;
        public Dictionary<string, SqliteCommand> Commands { get; } = new(StringComparer.Ordinal);

        public void Dispose()
        {
            foreach (var c in Commands.Values) c.Dispose();
            Connection.Dispose();
        }
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, (string Name, string Value)[] args)
    {
        var slot = _idle.TryTake(out var idle) ? idle : new Slot(open());
        var reusable = false;
        try
        {
            if (!slot.Commands.TryGetValue(sql, out var cmd))
            {
                cmd = slot.Connection.CreateCommand();
                cmd.CommandText = sql;
                foreach (var (name, _) in args) cmd.Parameters.Add(new SqliteParameter("@" + name, SqliteType.Text));
                cmd.Prepare();
                slot.Commands[sql] = cmd;
            }
            for (var i = 0; i < args.Length; i++) cmd.Parameters[i].Value = args[i].Value;
            var rows = new List<T>();
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                // Dapper's own row mapping (type handlers included), so the answer is what QueryAsync<T> gives.
                var parse = reader.GetRowParser<T>();
                while (await reader.ReadAsync()) rows.Add(parse(reader));
            }
            reusable = true;
            return rows;
        }
        finally
        {
            if (reusable && _idle.Count < MaxIdle) _idle.Add(slot);
            else slot.Dispose();
        }
    }
}
