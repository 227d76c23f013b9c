using System.Data.Common;
using System.Security.Cryptography;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Db.Postgres;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Model;
using Ferry.Core.Paths;

namespace Ferry.Catalog.Rules;

/// <summary>
/// Creates a rule's locks for many files at once with set-based SQL over temporary tables, so that a rule on a container
/// of 100,000 files runs a handful of statements instead of a million. The placement first loads every file of the rule
/// once (<see cref="Load"/>), then decides per group (<see cref="PlanGroup"/>, <see cref="PlanFile"/>) and finally writes
/// all the (file, RSE) pairs together (<see cref="Flush"/>): one INSERT ... SELECT per table, rows in key order.
/// Per (file, RSE) the outcome is Rucio's: an AVAILABLE replica gives an OK lock; a COPYING one a REPLICATING lock
/// (with a transfer if none is active and a source exists); otherwise a COPYING replica and a transfer when a readable
/// source exists, else an UNAVAILABLE replica and a STUCK lock.
/// </summary>
// Joins are written "apply_files f CROSS JOIN replicas r": SQLite keeps that order, and without statistics it would
// otherwise scan the whole replicas table. Pairs are produced in (file, RSE) order so that replicas, locks and requests
// are appended to their indexes rather than inserted at random places.
internal sealed class BulkLocks(DbConnection c, DbTransaction tx, Rule rule, DateTimeOffset now)
{
    // Above this many pairs the temporary tables are dropped afterwards instead of emptied, so a pooled connection does not
    // keep tens of MB of temporary pages.
    private const int KeepTablesBelow = 10_000;
    // PostgreSQL: above this many rows a temporary table is analysed before it is joined (see Load and Flush).
    private const int AnalyseAbove = 1000;
    private readonly Dictionary<(string, string), int> _index = [];
    private readonly List<long> _sizes = [];
    private readonly List<(int Group, string RseId)> _groupPairs = [];
    private readonly List<(int File, string RseId)> _filePairs = [];
    private readonly Dictionary<string, (long Files, long Bytes)> _pending = [];
    private long _pairs;

    /// <summary>Locks planned but not yet written, per RSE: the quota check of a later group counts them.</summary>
    public IReadOnlyDictionary<string, long> PendingBytes => _pending.ToDictionary(p => p.Key, p => p.Value.Bytes);

    /// <summary>
    /// Loads the rule's files (each in its group, by position) and returns, per group, the bytes of its files each RSE
    /// already holds (AVAILABLE or COPYING), to prefer RSEs that have the data.
    /// </summary>
    public async Task<Dictionary<int, Dictionary<string, long>>> Load(IReadOnlyList<IReadOnlyList<RuleReconciler.GroupFile>> groups)
    {
        var dialect = SqlDialect.For(c);
        // BIGINT for bytes: PostgreSQL's INTEGER is 32 bits (SQLite's is 64 either way). PostgreSQL has no rowid, so the
        // targets carry their own insertion order there.
        await c.ExecuteAsync($"""
            {dialect.CreateTempTable("apply_files", "idx INTEGER PRIMARY KEY, scope TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, grp INTEGER NOT NULL, bytes BIGINT NOT NULL, adler32 TEXT, md5 TEXT")};
            {dialect.CreateTempTable("apply_group_rse", "grp INTEGER NOT NULL, rse_id TEXT NOT NULL, PRIMARY KEY (grp, rse_id)")};
            {dialect.CreateTempTable("apply_file_rse", "idx INTEGER NOT NULL, rse_id TEXT NOT NULL")};
            {dialect.CreateTempTable("apply_targets", "scope TEXT NOT NULL, name TEXT NOT NULL, rse_id TEXT NOT NULL, path TEXT NOT NULL, bytes BIGINT NOT NULL, adler32 TEXT, md5 TEXT, rstate INTEGER, has_source INTEGER NOT NULL" + (c is PgConnection ? ", seq BIGSERIAL" : ""))};
            DELETE FROM apply_files; DELETE FROM apply_group_rse; DELETE FROM apply_file_rse; DELETE FROM apply_targets;
            """, transaction: tx);
        // Each file once, numbered in group order, with the first group that holds it.
        var rows = new List<(int Idx, int Grp, RuleReconciler.GroupFile File)>();
        for (var g = 0; g < groups.Count; g++)
            foreach (var f in groups[g])
                if (_index.TryAdd((f.Scope, f.Name), _index.Count))
                {
                    rows.Add((_index.Count - 1, g, f));
                    _sizes.Add(f.Bytes);
                }
        if (c is PgConnection pg) await CopyFilesAsync(pg, rows);
        else InsertFiles(rows);
        var held = new Dictionary<int, Dictionary<string, long>>();
        foreach (var (grp, rseId, bytes) in await c.QueryAsync<(int, string, long)>($"""
            SELECT f.grp, r.rse_id, SUM(r.bytes) FROM apply_files f {dialect.OrderedJoin} replicas r ON r.scope=f.scope AND r.name=f.name
            WHERE r.state IN (0, 2) GROUP BY f.grp, r.rse_id
            """, transaction: tx))
        {
            if (!held.TryGetValue(grp, out var byRse)) held[grp] = byRse = [];
            byRse[rseId] = bytes;
        }
        return held;
    }

    /// <summary>PostgreSQL: the rule's files in one binary COPY instead of a round trip per file.</summary>
    private async Task CopyFilesAsync(PgConnection pg, List<(int Idx, int Grp, RuleReconciler.GroupFile File)> rows)
    {
        // The importer must be disposed, not only completed, before the connection takes another command.
        await using (var copy = await pg.Inner.BeginBinaryImportAsync("COPY apply_files(idx, scope, name, path, grp, bytes, adler32, md5) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (idx, g, f) in rows)
                await copy.WriteRowAsync(default, idx, f.Scope, f.Name, Lfn2Pfn.Hash(f.Scope, f.Name), g, f.Bytes, f.Adler32, f.Md5);
            await copy.CompleteAsync();
        }
        // A temp table has no statistics until analysed; with them the planner drives the joins from it.
        if (_index.Count > AnalyseAbove) await c.ExecuteAsync("ANALYZE apply_files", transaction: tx);
    }

    /// <summary>SQLite: one prepared statement executed per row, in process: far cheaper than multi-row statements.</summary>
    private void InsertFiles(List<(int Idx, int Grp, RuleReconciler.GroupFile File)> rows)
    {
        using var insert = c.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO apply_files(idx, scope, name, path, grp, bytes, adler32, md5) VALUES (@i, @s, @n, @p, @g, @b, @a, @m)";
        var ps = new[] { "@i", "@s", "@n", "@p", "@g", "@b", "@a", "@m" }.Select(n =>
        {
            var p = insert.CreateParameter();
            p.ParameterName = n;
            insert.Parameters.Add(p);
            return p;
        }).ToArray();
        insert.Prepare();
        foreach (var (idx, g, f) in rows)
        {
            ps[0].Value = idx;
            ps[1].Value = f.Scope;
            ps[2].Value = f.Name;
            ps[3].Value = Lfn2Pfn.Hash(f.Scope, f.Name);
            ps[4].Value = g;
            ps[5].Value = f.Bytes;
            ps[6].Value = (object?)f.Adler32 ?? DBNull.Value;
            ps[7].Value = (object?)f.Md5 ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>Every file of group <paramref name="group"/> gets a lock on <paramref name="rseId"/>.</summary>
    public void PlanGroup(int group, IReadOnlyList<RuleReconciler.GroupFile> files, string rseId)
    {
        _groupPairs.Add((group, rseId));
        Count(files, rseId);
    }

    /// <summary>Only these files of a group get a lock on <paramref name="rseId"/>.</summary>
    public void PlanFiles(IReadOnlyList<RuleReconciler.GroupFile> files, string rseId)
    {
        foreach (var f in files) _filePairs.Add((_index[(f.Scope, f.Name)], rseId));
        Count(files, rseId);
    }

    private void Count(IReadOnlyList<RuleReconciler.GroupFile> files, string rseId)
    {
        long bytes = 0;
        foreach (var f in files) bytes += _sizes[_index[(f.Scope, f.Name)]];
        var (n, b) = _pending.GetValueOrDefault(rseId);
        _pending[rseId] = (n + files.Count, b + bytes);
        _pairs += files.Count;
    }

    /// <summary>Writes every planned lock with its replica and transfer request, and charges the account.</summary>
    /// <param name="allowed">The RSE names copies may be read from (the planner's reading of source_replica_expression); null: any.</param>
    public async Task Flush(IReadOnlySet<string>? allowed)
    {
        if (_pairs == 0) return;
        var dialect = SqlDialect.For(c);
        await InsertPairs();
        var sourceFilter = allowed is null ? "" : "AND s.name IN @allowed";
        var args = new { now, rule.Id, rule.Account, src = rule.SourceReplicaExpression, allowed = allowed?.ToArray() ?? [], prefix = RequestIdPrefix() };
        // What each pair finds: the replica's state on the target (NULL when there is none) and whether a readable source exists elsewhere.
        var targets = $"""
            INSERT INTO apply_targets(scope, name, rse_id, path, bytes, adler32, md5, rstate, has_source)
            SELECT f.scope, f.name, p.rse_id, f.path, f.bytes, f.adler32, f.md5,
                   (SELECT r.state FROM replicas r WHERE r.scope=f.scope AND r.name=f.name AND r.rse_id=p.rse_id),
                   CASE WHEN EXISTS (SELECT 1 FROM replicas o JOIN rses s ON s.id=o.rse_id
                           WHERE o.scope=f.scope AND o.name=f.name AND o.rse_id<>p.rse_id AND o.state=0
                             AND s.availability_read=1 AND s.deleted=0 {sourceFilter}) THEN 1 ELSE 0 END
            FROM (SELECT f.idx AS idx, g.rse_id AS rse_id FROM apply_files f {dialect.OrderedJoin} apply_group_rse g ON g.grp=f.grp
                  UNION ALL SELECT idx, rse_id FROM apply_file_rse) p
                 {dialect.OrderedJoin} apply_files f ON f.idx=p.idx;
            """;
        // Without statistics PostgreSQL takes the temp table for one row and probes requests once per pair through the
        // whole partial index (quadratic: 20,000 pairs took 15 s); analysed, it plans a hash anti-join. For a few pairs
        // those probes are the cheap plan, and ANALYZE itself (it writes the statistics catalogue) costs more than the rule.
        var analyse = c is PgConnection && _pairs > AnalyseAbove ? "ANALYZE apply_targets;" : "";
        // New replicas are born holding this lock; UNAVAILABLE or BAD ones are copied again when a source exists.
        const string replicas = """
            INSERT INTO replicas(scope,name,rse_id,state,bytes,path,tombstone,lock_cnt,created_at,updated_at)
            SELECT t.scope, t.name, t.rse_id, CASE WHEN t.has_source=1 THEN 2 ELSE 1 END, t.bytes, t.path, NULL, 1, @now, @now
            FROM apply_targets t WHERE t.rstate IS NULL;
            UPDATE apply_targets SET rstate=2 WHERE rstate IN (1, 4) AND has_source=1;
            UPDATE replicas SET state=2, lock_cnt=lock_cnt+1, tombstone=NULL, updated_at=@now
            WHERE (scope, name, rse_id) IN (SELECT scope, name, rse_id FROM apply_targets WHERE rstate=2 AND has_source=1);
            UPDATE replicas SET lock_cnt=lock_cnt+1, tombstone=NULL, updated_at=@now
            WHERE (scope, name, rse_id) IN (SELECT scope, name, rse_id FROM apply_targets WHERE rstate IS NOT NULL AND NOT (rstate=2 AND has_source=1));
            """;
        const string state = "COALESCE(t.rstate, CASE WHEN t.has_source=1 THEN 2 ELSE 1 END)";
        // Request ids: a random prefix per placement and the pair's position, so one placement's ids are in order. A pair
        // that already has an active transfer (another rule's) is skipped by the unique index requests_active, which the
        // insert probes anyway: a NOT EXISTS probed it a second time.
        var locksAndRequests = $"""
            INSERT INTO locks(rule_id,scope,name,rse_id,state,bytes,account,created_at,updated_at)
            SELECT @Id, t.scope, t.name, t.rse_id, CASE {state} WHEN 0 THEN 1 WHEN 5 THEN 1 WHEN 2 THEN 0 ELSE 2 END,
                   t.bytes, @Account, @now, @now
            FROM apply_targets t;
            INSERT INTO requests(id,scope,name,dest_rse_id,state,attempts,bytes,adler32,md5,source_expression,next_attempt_at,created_at,updated_at)
            SELECT @prefix || {(c is PgConnection ? "lpad(to_hex(t.seq), 16, '0')" : "printf('%016x', t.rowid)")}, t.scope, t.name, t.rse_id, 0, 0, t.bytes, t.adler32, t.md5, @src, @now, @now, @now
            FROM apply_targets t
            WHERE t.has_source=1 AND {state}=2
            ON CONFLICT DO NOTHING;
            """;
        var cleanup = _pairs < KeepTablesBelow
            ? "DELETE FROM apply_files; DELETE FROM apply_group_rse; DELETE FROM apply_file_rse; DELETE FROM apply_targets;"
            : "DROP TABLE apply_files; DROP TABLE apply_group_rse; DROP TABLE apply_file_rse; DROP TABLE apply_targets;";
        // One command, so one round trip to PostgreSQL for all of it: a bulk creation of many small rules pays per trip.
        await c.ExecuteAsync(targets + analyse + replicas + locksAndRequests + cleanup, args, tx);
        foreach (var (rseId, (files, bytes)) in _pending)
            await c.ExecuteAsync("""
                INSERT INTO account_usage(account,rse_id,files,bytes) VALUES (@Account,@rseId,@files,@bytes)
                ON CONFLICT(account,rse_id) DO UPDATE SET files=account_usage.files+excluded.files, bytes=account_usage.bytes+excluded.bytes
                """, new { rule.Account, rseId, files, bytes }, tx);
        // Written once: a later Flush (after a refusal) has nothing left to do.
        _groupPairs.Clear();
        _filePairs.Clear();
        _pending.Clear();
        _pairs = 0;
    }

    private async Task InsertPairs()
    {
        foreach (var (group, rseId) in _groupPairs.Distinct())
            await c.ExecuteAsync("INSERT INTO apply_group_rse(grp, rse_id) VALUES (@group, @rseId) ON CONFLICT DO NOTHING", new { group, rseId }, tx);
        if (_filePairs.Count == 0) return;
        if (c is PgConnection pg)
        {
            // Npgsql cannot prepare a statement before its parameters have values; COPY is one round trip anyway.
            await using (var copy = await pg.Inner.BeginBinaryImportAsync("COPY apply_file_rse(idx, rse_id) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var (file, rseId) in _filePairs.Distinct()) await copy.WriteRowAsync(default, file, rseId);
                await copy.CompleteAsync();
            }
            return;
        }
        await using var insert = c.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO apply_file_rse(idx, rse_id) VALUES (@i, @r)";
        var (pi, pr) = (insert.CreateParameter(), insert.CreateParameter());
        (pi.ParameterName, pr.ParameterName) = ("@i", "@r");
        insert.Parameters.Add(pi);
        insert.Parameters.Add(pr);
        insert.Prepare();
        foreach (var (file, rseId) in _filePairs.Distinct())
        {
            pi.Value = file;
            pr.Value = rseId;
            insert.ExecuteNonQuery();
        }
    }

    private static string RequestIdPrefix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

}
