using System.Data.Common;
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
/// Creates a rule's locks on one RSE for many files at once with set-based SQL over a temporary table of the files,
/// so that a rule on a container of 100,000 files does a few hundred statements instead of a million.
/// Per (file, RSE) the outcome is Rucio's: an AVAILABLE replica gives an OK lock; a COPYING one a REPLICATING lock
/// (with a transfer if none is active and a source exists); otherwise a COPYING replica and a transfer when a readable
/// source exists, else an UNAVAILABLE replica and a STUCK lock.
/// </summary>
// Joins are written "apply_files f CROSS JOIN replicas r": SQLite keeps that order, and without statistics it would
// otherwise scan the whole replicas table for every batch.
internal sealed class BulkLocks(DbConnection c, DbTransaction tx, Rule rule, DateTimeOffset now)
{
    private bool _created;
    private string OrderedJoin => SqlDialect.For(c).OrderedJoin;
    private HashSet<string>? _allowedSources;
    private IReadOnlyList<RuleReconciler.GroupFile> _filled = [];

    private async Task Fill(IReadOnlyList<RuleReconciler.GroupFile> files)
    {
        // A group is usually filled for its byte count and then again for each of its RSEs with the same files.
        if (_created && files.Count == _filled.Count && files.Select(f => (f.Scope, f.Name)).SequenceEqual(_filled.Select(f => (f.Scope, f.Name)))) return;
        _filled = files;
        var dialect = SqlDialect.For(c);
        if (!_created)
        {
            await c.ExecuteAsync(dialect.CreateTempTable("apply_files", "scope TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, has_source INTEGER NOT NULL DEFAULT 0, existed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (scope, name)"), transaction: tx);
            _created = true;
        }
        await c.ExecuteAsync("DELETE FROM apply_files", transaction: tx);
        if (c is PgConnection pg)
        {
            // PostgreSQL: one binary COPY for the whole group instead of a round trip per file.
            // The importer must be disposed, not only completed, before the connection takes another command.
            await using (var copy = await pg.Inner.BeginBinaryImportAsync("COPY apply_files(scope, name, path) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var f in files.DistinctBy(f => (f.Scope, f.Name)))
                    await copy.WriteRowAsync(default, f.Scope, f.Name, Lfn2Pfn.Hash(f.Scope, f.Name));
                await copy.CompleteAsync();
            }
            // A temp table has no statistics until analysed; with them the planner drives the joins from it.
            if (files.Count > 1000) await c.ExecuteAsync("ANALYZE apply_files", transaction: tx);
            return;
        }
        // SQLite: one prepared statement executed per row, in process: binding three parameters is far cheaper than
        // building multi-row statements with thousands of named parameters.
        await using var insert = c.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO apply_files(scope, name, path) VALUES (@s, @n, @p) ON CONFLICT DO NOTHING";
        var ps = new[] { "@s", "@n", "@p" }.Select(n =>
        {
            var p = insert.CreateParameter();
            p.ParameterName = n;
            insert.Parameters.Add(p);
            return p;
        }).ToArray();
        insert.Prepare();
        foreach (var f in files)
        {
            ps[0].Value = f.Scope;
            ps[1].Value = f.Name;
            ps[2].Value = Lfn2Pfn.Hash(f.Scope, f.Name);
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>Bytes of these files each RSE already holds (AVAILABLE or COPYING), to prefer RSEs that have the data.</summary>
    public async Task<Dictionary<string, long>> BytesHeld(IReadOnlyList<RuleReconciler.GroupFile> files)
    {
        await Fill(files);
        return (await c.QueryAsync<(string RseId, long Bytes)>($"""
            SELECT r.rse_id, SUM(r.bytes) FROM apply_files f {OrderedJoin} replicas r ON r.scope=f.scope AND r.name=f.name
            WHERE r.state IN (0, 2) GROUP BY r.rse_id
            """, transaction: tx)).ToDictionary(x => x.RseId, x => x.Bytes);
    }

    public async Task Lock(IReadOnlyList<RuleReconciler.GroupFile> files, string rseId)
    {
        await Fill(files);
        var allowed = await AllowedSources();
        var sourceFilter = allowed is null ? "" : "AND s.name IN @allowed";
        var args = new { rse = rseId, now, rule.Id, rule.Account, src = rule.SourceReplicaExpression, allowed = allowed?.ToArray() ?? [] };
        await c.ExecuteAsync($"""
            UPDATE apply_files SET has_source = CASE WHEN EXISTS (
                SELECT 1 FROM replicas o JOIN rses s ON s.id=o.rse_id
                WHERE o.scope=apply_files.scope AND o.name=apply_files.name AND o.rse_id<>@rse AND o.state=0
                  AND s.availability_read=1 AND s.deleted=0 {sourceFilter}) THEN 1 ELSE 0 END
            """, args, tx);
        // New replicas are born holding this lock; only the ones that existed need their count raised afterwards.
        await c.ExecuteAsync("""
            UPDATE apply_files SET existed = CASE WHEN EXISTS (
                SELECT 1 FROM replicas r WHERE r.scope=apply_files.scope AND r.name=apply_files.name AND r.rse_id=@rse) THEN 1 ELSE 0 END
            """, args, tx);
        await c.ExecuteAsync("""
            INSERT INTO replicas(scope,name,rse_id,state,bytes,path,tombstone,lock_cnt,created_at,updated_at)
            SELECT f.scope, f.name, @rse, CASE WHEN f.has_source=1 THEN 2 ELSE 1 END, COALESCE(d.bytes,0), f.path, NULL, 1, @now, @now
            FROM apply_files f JOIN dids d ON d.scope=f.scope AND d.name=f.name
            WHERE f.existed=0
            """, args, tx);
        // UNAVAILABLE or BAD replicas are copied again when a source exists.
        await c.ExecuteAsync("""
            UPDATE replicas SET state=2, updated_at=@now
            WHERE rse_id=@rse AND (scope, name) IN (SELECT scope, name FROM apply_files WHERE has_source=1) AND state IN (1, 4)
            """, args, tx);
        await c.ExecuteAsync($"""
            INSERT INTO locks(rule_id,scope,name,rse_id,state,bytes,account,created_at,updated_at)
            SELECT @Id, f.scope, f.name, @rse,
                   CASE r.state WHEN 0 THEN 1 WHEN 5 THEN 1 WHEN 2 THEN 0 ELSE 2 END,
                   COALESCE(d.bytes,0), @Account, @now, @now
            FROM apply_files f {OrderedJoin} replicas r ON r.scope=f.scope AND r.name=f.name AND r.rse_id=@rse
                 JOIN dids d ON d.scope=f.scope AND d.name=f.name
            """, args, tx);
        await c.ExecuteAsync($"""
            INSERT INTO requests(id,scope,name,dest_rse_id,state,attempts,bytes,adler32,md5,source_expression,next_attempt_at,created_at,updated_at)
            SELECT {SqlDialect.For(c).NewId}, f.scope, f.name, @rse, 0, 0, COALESCE(d.bytes,0), d.adler32, d.md5, @src, @now, @now, @now
            FROM apply_files f {OrderedJoin} replicas r ON r.scope=f.scope AND r.name=f.name AND r.rse_id=@rse
                 JOIN dids d ON d.scope=f.scope AND d.name=f.name
            WHERE f.has_source=1 AND r.state=2
              AND NOT EXISTS (SELECT 1 FROM requests q WHERE q.scope=f.scope AND q.name=f.name AND q.dest_rse_id=@rse AND q.state IN (0, 1))
            """, args, tx);
        await c.ExecuteAsync("""
            UPDATE replicas SET lock_cnt=lock_cnt+1, tombstone=NULL, updated_at=@now
            WHERE rse_id=@rse AND (scope, name) IN (SELECT scope, name FROM apply_files WHERE existed=1)
            """, args, tx);
        var (count, bytes) = await c.QuerySingleAsync<(long, long)>(
            "SELECT COUNT(*), COALESCE(SUM(d.bytes),0) FROM apply_files f JOIN dids d ON d.scope=f.scope AND d.name=f.name", transaction: tx);
        await c.ExecuteAsync("""
            INSERT INTO account_usage(account,rse_id,files,bytes) VALUES (@Account,@rse,@count,@bytes)
            ON CONFLICT(account,rse_id) DO UPDATE SET files=account_usage.files+excluded.files, bytes=account_usage.bytes+excluded.bytes
            """, new { rule.Account, rse = rseId, count, bytes }, tx);
    }

    /// <summary>The RSE names the rule's source_replica_expression allows, or null when it has none.</summary>
    private async Task<HashSet<string>?> AllowedSources()
    {
        if (rule.SourceReplicaExpression is null) return null;
        if (_allowedSources is not null) return _allowedSources;
        try { _allowedSources = RseExpression.Parse(rule.SourceReplicaExpression).Evaluate(await RseCatalog.Facts(c, tx)).ToHashSet(); }
        catch (FerryException) { _allowedSources = []; }
        return _allowedSources;
    }
}
