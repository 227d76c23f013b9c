using System.Security.Cryptography;
using System.Text;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Ferry.Functional.Tests.Fuzz;

/// <summary>
/// What a request could have changed: every table of the server's catalogue (read through a connection of our own,
/// SQLite or PostgreSQL) and every file under the RSE directories. <see cref="Changed"/> is a cheap probe (SQLite's
/// data_version moves when another connection commits), so the full digest is taken only when it moved. On
/// PostgreSQL the probe is each table's row count and the sum of its row versions (xmin): every insert, update and delete moves
/// one of them, and the other catalogues in the same cluster (tests running beside this one) do not. A probe may move
/// for nothing (a lease renewed): that costs a digest, never a missed change.
/// </summary>
public sealed class CatalogueState : IDisposable
{
    /// <summary>
    /// State a refused request may legitimately write, or the daemons keep on their own: tokens (authentication
    /// issues them), the free space the reaper records, leases. Tables holding a record of refusals themselves
    /// (an audit log, failed-login counters) are left out by name as they land.
    /// </summary>
    private static readonly string[] VolatileTables = ["tokens", "rse_free_space", "sqlite_sequence", "schema_version"];
    private static readonly string[] VolatileTablePrefixes = ["audit", "auth_fail", "login_", "lockout"];

    private readonly DbConnection _db;
    private readonly IReadOnlyList<string> _directories;
    private string _dataVersion;
    private readonly DbCommand _probe;

    public CatalogueState(DbConnection catalogue, IReadOnlyList<string> directories)
    {
        _db = catalogue;
        _directories = directories;
        _probe = _db.CreateCommand();
        _probe.CommandText = _db is SqliteConnection ? "PRAGMA data_version"
            : string.Join(" UNION ALL ", Tables().Select(t => $"SELECT '{t}' AS t, COUNT(*) AS n, COALESCE(SUM(xmin::text::bigint), 0) AS v FROM \"{t}\"")) + " ORDER BY 1";
        // Planning the union over every table cost more than running it: prepared, PostgreSQL plans it once.
        if (_db is not SqliteConnection) _probe.Prepare();
        _dataVersion = DataVersion();
    }

    private string DataVersion()
    {
        using var r = _probe.ExecuteReader();
        var probe = new StringBuilder();
        while (r.Read())
            for (var i = 0; i < r.FieldCount; i++) probe.Append(Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
        return probe.ToString();
    }

    private List<string> Tables()
    {
        var tables = new List<string>();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = _db is SqliteConnection ? "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema=current_schema() AND table_type='BASE TABLE' ORDER BY table_name";
        using var r = cmd.ExecuteReader();
        while (r.Read()) tables.Add(r.GetString(0));
        return tables;
    }

    /// <summary>True when a commit happened since the last call (another connection: the server).</summary>
    public bool Changed()
    {
        var v = DataVersion();
        var changed = v != _dataVersion;
        _dataVersion = v;
        return changed;
    }

    /// <summary>Work the daemons will do on their own: transfers queued or running.</summary>
    public bool DaemonsBusy()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM requests WHERE state IN (0, 1)";
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Rules whose expiry falls before <paramref name="unixMs"/>: the judge removes them on its own schedule.</summary>
    public HashSet<string> RulesDueBy(long unixMs) => Ids("SELECT id FROM rules WHERE expires_at IS NOT NULL AND expires_at <= " + unixMs);

    public HashSet<string> RuleIds() => Ids("SELECT id FROM rules");

    private HashSet<string> Ids(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (r.Read()) ids.Add(r.GetString(0));
        return ids;
    }

    /// <summary>Table name (or "files:DIR") to a digest of its content, independent of row order.</summary>
    public Dictionary<string, string> Digest()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var tables = Tables();
        foreach (var table in tables.Where(t => !VolatileTables.Contains(t) && !VolatileTablePrefixes.Any(p => t.StartsWith(p, StringComparison.Ordinal))))
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{table}\"";
            using var r = cmd.ExecuteReader();
            var rows = new List<string>();
            while (r.Read())
            {
                var row = new StringBuilder();
                for (var i = 0; i < r.FieldCount; i++)
                {
                    if (r.GetName(i).Contains("lease", StringComparison.Ordinal)) continue;
                    row.Append(r.GetName(i)).Append('=').Append(r.IsDBNull(i) ? "<null>" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('\u001f');
                }
                rows.Add(row.ToString());
            }
            rows.Sort(StringComparer.Ordinal);
            result[table] = $"{rows.Count} rows " + Hash(string.Join('\u001e', rows));
        }
        foreach (var dir in _directories)
        {
            var files = Directory.Exists(dir)
                ? Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories)
                    .Select(p => new FileInfo(p)).Select(f => $"{Path.GetRelativePath(dir, f.FullName)}|{(f.Attributes.HasFlag(FileAttributes.Directory) ? -1 : f.Length)}|{f.LastWriteTimeUtc.Ticks}")
                    .Order(StringComparer.Ordinal).ToList()
                : [];
            result["files:" + dir] = $"{files.Count} entries " + Hash(string.Join('\n', files));
        }
        return result;
    }

    public static IEnumerable<string> Differences(Dictionary<string, string> before, Dictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k))
            .Select(k => $"{k}: {before.GetValueOrDefault(k) ?? "(absent)"} -> {after.GetValueOrDefault(k) ?? "(absent)"}");

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    public void Dispose()
    {
        _probe.Dispose();
        _db.Dispose();
    }
}
