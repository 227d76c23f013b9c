using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Catalog.Dids;

/// <summary>A file of a DID listing: what the dialect's file listing gives per line.</summary>
public sealed record DidFileRow(string Scope, string Name, long? Bytes, string? Adler32, string? Guid, long? Events);

public sealed partial class DidCatalog
{
    /// <summary>How many files one query of a file listing reads.</summary>
    public const int FilePage = 10_000;

    /// <summary>
    /// Every file below a DID (the DID itself for a file), in name order, a page at a time. The DID is looked up when
    /// this is called, so an unknown one fails before a listing starts. A dataset's files are read in pages along
    /// its contents' primary key, which is already in name order; a collection of collections by one recursive walk.
    /// Each page's connection goes back to the pool before its rows are handed on.
    /// </summary>
    /// <param name="pageSize">Files per query; tests make it small to cross page boundaries cheaply.</param>
    public async Task<IAsyncEnumerable<DidFileRow>> ListFilesAsync(string scope, string name, CancellationToken ct = default, int pageSize = FilePage)
    {
        var did = await FindAsync(scope, name) ?? throw FerryException.DidNotFound(scope, name);
        if (did.Type == DidType.File) return new[] { new DidFileRow(did.Scope, did.Name, did.Bytes, did.Adler32, did.Guid, did.Events) }.ToAsyncEnumerable();
        var nested = await db.ReadAsync(c => HoldsCollections(c, scope, name));
        return nested ? NestedFiles(scope, name, ct) : DatasetFiles(scope, name, pageSize, ct);
    }

    /// <summary>Whether a collection holds collections: its files then need the recursive walk, not its contents' key.</summary>
    internal static async Task<bool> HoldsCollections(DbConnection c, string scope, string name) => await c.ExecuteScalarAsync<long>(
        "SELECT COUNT(*) FROM (SELECT 1 FROM contents WHERE scope=@scope AND name=@name AND child_type<>0 LIMIT 1) x", new { scope, name }) > 0;

    private async IAsyncEnumerable<DidFileRow> DatasetFiles(string scope, string name, int pageSize, [EnumeratorCancellation] CancellationToken ct)
    {
        (string Scope, string Name)? after = null;
        while (true)
        {
            var rows = await db.ReadAsync(async c =>
            {
                await using var cmd = c.CreateCommand();
                cmd.CommandText = $"""
                    SELECT d.scope, d.name, d.bytes, d.adler32, d.guid, d.events
                    FROM contents ct JOIN dids d ON d.scope = ct.child_scope AND d.name = ct.child_name
                    WHERE ct.scope = @scope AND ct.name = @name AND ct.child_type = 0
                      {(after is null ? "" : "AND (ct.child_scope, ct.child_name) > (@afterScope, @afterName)")}
                    ORDER BY ct.child_scope, ct.child_name LIMIT {pageSize}
                    """;
                Parameter(cmd, "scope", scope);
                Parameter(cmd, "name", name);
                if (after is { } a) { Parameter(cmd, "afterScope", a.Scope); Parameter(cmd, "afterName", a.Name); }
                return await FileRows(cmd, pageSize, ct);
            }, ct);
            foreach (var row in rows) yield return row;
            if (rows.Count < pageSize) yield break;
            after = (rows[^1].Scope, rows[^1].Name);
        }
    }

    private static void Parameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    // Read by hand rather than mapped: a listing reads a hundred thousand of these, and rows of one scope share its string.
    private static async Task<List<DidFileRow>> FileRows(DbCommand cmd, int capacity, CancellationToken ct)
    {
        var rows = new List<DidFileRow>(capacity);
        await using var rd = await cmd.ExecuteReaderAsync(ct);
        var scope = "";
        while (await rd.ReadAsync(ct))
        {
            var s = rd.GetString(0);
            if (s != scope) scope = s;
            rows.Add(new DidFileRow(scope, rd.GetString(1), rd.IsDBNull(2) ? null : rd.GetInt64(2), rd.IsDBNull(3) ? null : rd.GetString(3),
                rd.IsDBNull(4) ? null : rd.GetString(4), rd.IsDBNull(5) ? null : rd.GetInt64(5)));
        }
        return rows;
    }

    private async IAsyncEnumerable<DidFileRow> NestedFiles(string scope, string name, [EnumeratorCancellation] CancellationToken ct)
    {
        var rows = await db.ReadAsync(async c =>
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = $"{FilesCte} SELECT d.scope, d.name, d.bytes, d.adler32, d.guid, d.events FROM files f JOIN dids d ON d.scope=f.scope AND d.name=f.name ORDER BY d.scope, d.name";
            Parameter(cmd, "scope", scope);
            Parameter(cmd, "name", name);
            return await FileRows(cmd, 0, ct);
        }, ct);
        foreach (var row in rows) yield return row;
    }
}
