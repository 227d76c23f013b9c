using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Ferry.Catalog.Db;

/// <summary>
/// The few places where the catalogue's SQL differs between SQLite and PostgreSQL. Everything else is written once in
/// the common subset (ON CONFLICT, RETURNING, CASE, COALESCE); catalogue classes ask <see cref="For"/> the connection
/// they were handed instead of being forked per store.
/// </summary>
public interface ISqlDialect
{
    string Name { get; }
    /// <summary>An expression giving a fresh random 32-hex-digit id (the format of Guid.ToString("N")).</summary>
    string NewId { get; }
    /// <summary>The larger of two expressions (SQLite spells it MAX(a, b), PostgreSQL GREATEST).</summary>
    string Greatest(string a, string b);
    /// <summary>
    /// A join the planner must take in the written order: SQLite's "CROSS JOIN … ON" (it has no statistics on temp
    /// tables); PostgreSQL plans a plain JOIN well and rejects ON after CROSS JOIN.
    /// </summary>
    string OrderedJoin { get; }
    /// <summary>The clause that locks the selected rows of <paramref name="alias"/> and skips rows other workers hold.</summary>
    string SkipLocked(string alias);
    /// <summary>
    /// The clause that locks the selected rows until the transaction ends (PostgreSQL's FOR UPDATE): transactions that
    /// recount the same rule queue behind each other instead of both counting before either committed. Empty on
    /// SQLite, whose single writer already excludes the other transaction.
    /// </summary>
    string ForUpdate { get; }
    /// <summary>A statement creating a per-connection scratch table if it does not exist yet.</summary>
    string CreateTempTable(string name, string columns);
    /// <summary>
    /// A boolean condition "<paramref name="column"/> matches <paramref name="rx"/>". SQLite registers the .NET regex as a
    /// function on the connection; PostgreSQL uses its own '~' operator with the pattern as a parameter.
    /// </summary>
    string RegexMatch(DbConnection c, string column, Regex rx, string parameter, Action onTimeout);
    /// <summary>
    /// A table (idx, scope, name) of the DIDs in <paramref name="parameter"/>, a JSON array of [scope, name] pairs, idx
    /// counting from 0. One text parameter instead of a thousand: the statement's text stays the same whatever the count.
    /// </summary>
    string DidKeys(string parameter);
}

public static class SqlDialect
{
    public static readonly ISqlDialect Sqlite = new SqliteDialect();
    public static readonly ISqlDialect Postgres = new PostgresDialect();

    public static ISqlDialect For(DbConnection c) => c is SqliteConnection ? Sqlite : Postgres;

    private sealed class SqliteDialect : ISqlDialect
    {
        public const string MatchFunction = "ferry_name_matches";
        public string Name => "sqlite";
        public string NewId => "lower(hex(randomblob(16)))";
        public string Greatest(string a, string b) => $"MAX({a}, {b})";
        public string OrderedJoin => "CROSS JOIN";
        // One writer at a time: the claiming transaction already excludes every other.
        public string SkipLocked(string alias) => "";
        public string ForUpdate => "";
        public string CreateTempTable(string name, string columns) => $"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})";

        public string RegexMatch(DbConnection c, string column, Regex rx, string parameter, Action onTimeout)
        {
            ((SqliteConnection)c).CreateFunction(MatchFunction, (string name) =>
            {
                try { return rx.IsMatch(name); }
                catch (RegexMatchTimeoutException) { onTimeout(); return false; }
            }, isDeterministic: true);
            return $"{MatchFunction}({column})";
        }

        public string DidKeys(string parameter) =>
            $"(SELECT CAST(key AS INTEGER) AS idx, json_extract(value, '$[0]') AS scope, json_extract(value, '$[1]') AS name FROM json_each({parameter}))";
    }

    private sealed class PostgresDialect : ISqlDialect
    {
        public string Name => "postgres";
        public string NewId => "replace(gen_random_uuid()::text, '-', '')";
        public string Greatest(string a, string b) => $"GREATEST({a}, {b})";
        public string OrderedJoin => "JOIN";
        public string SkipLocked(string alias) => $"FOR UPDATE OF {alias} SKIP LOCKED";
        public string ForUpdate => "FOR UPDATE";
        // Pooled connections keep temp tables; callers empty them before use, as they do on SQLite.
        public string CreateTempTable(string name, string columns) => $"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})";
        // PostgreSQL's regular expressions (ARE) agree with .NET's on the syntax selections use; its own statement
        // timeout bounds a pathological pattern instead of the .NET match timeout.
        public string RegexMatch(DbConnection c, string column, Regex rx, string parameter, Action onTimeout) => $"{column} ~ {parameter}";

        public string DidKeys(string parameter) =>
            $"(SELECT e.i - 1 AS idx, e.v->>0 AS scope, e.v->>1 AS name FROM jsonb_array_elements(CAST({parameter} AS jsonb)) WITH ORDINALITY AS e(v, i))";
    }
}
