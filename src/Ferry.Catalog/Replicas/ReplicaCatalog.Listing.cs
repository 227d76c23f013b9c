using System.Runtime.CompilerServices;
using System.Text.Json;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Dids;
using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Catalog.Replicas;

/// <summary>Which replicas a listing gives (the dialect's all_states, rse_expression and ignore_availability).</summary>
/// <param name="RseIds">Only replicas on these RSEs; null for any.</param>
/// <param name="ReadableOnly">Leaves out replicas on RSEs blocked for reads.</param>
/// <param name="ResolveArchives">Also gives, for a file packed in archives, the archives' replicas.</param>
/// <param name="WithParents">Gives every ancestor collection of each file.</param>
public sealed record ReplicaFilter(bool AllStates, IReadOnlySet<string>? RseIds, bool ReadableOnly, bool ResolveArchives, bool WithParents)
{
    public bool Wants(ReplicaView r) =>
        (AllStates || r.State == ReplicaState.Available) && (RseIds is null || RseIds.Contains(r.RseId)) && (!ReadableOnly || r.AvailabilityRead);
}

/// <summary>One requested DID of a listing page: unknown (Type null), a collection, or a file with its wanted replicas.</summary>
public readonly record struct ListedDid(string Scope, string Name, DidType? Type, FileReplicas? File);

public sealed partial class ReplicaCatalog
{
    /// <summary>How many DIDs one listing query resolves; the endpoints page their answer by it.</summary>
    public const int ListPage = 1000;

    /// <summary>
    /// The files of the DIDs in the order asked, each once, a page of DIDs at a time (one query per page). A file asked
    /// for directly appears even without replicas; a file reached through a collection only when it has one the
    /// filter wants.
    /// </summary>
    /// <param name="skipUnknown">Leaves out DIDs that do not exist, as the dialect's listing does, rather than refusing the request.</param>
    public async IAsyncEnumerable<FileReplicas> StreamAsync(IReadOnlyList<(string Scope, string Name)> requested, ReplicaFilter filter, bool skipUnknown,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var seen = new HashSet<(string, string)>();
        foreach (var page in requested.Chunk(ListPage))
            foreach (var did in await ListPageAsync(page, filter, ct))
            {
                if (did.File is { } file)
                {
                    if (seen.Add((did.Scope, did.Name))) yield return file;
                    continue;
                }
                if (did.Type is null)
                {
                    if (skipUnknown) continue;
                    throw new FerryException("DataIdentifierNotFound", 400, $"Data identifier '{did.Scope}:{did.Name}' not found");
                }
                var members = (await FileKeysAsync(did.Scope, did.Name, ct)).Where(seen.Add).ToList();
                foreach (var part in members.Chunk(ListPage))
                    foreach (var member in await ListPageAsync(part, filter, ct))
                        if (member.File is { } f && (f.Replicas.Count > 0 || f.InArchives.Count > 0)) yield return f;
            }
    }

    /// <summary>
    /// Resolves up to <see cref="ListPage"/> DIDs, in the order given, with one query: each DID's type and, for files,
    /// the replicas the filter wants. Archives and parents, which few listings ask for, cost a query more each.
    /// A page is read whole and the connection returned before the caller writes it out, so a slow client never
    /// holds a database connection.
    /// </summary>
    public Task<IReadOnlyList<ListedDid>> ListPageAsync(IReadOnlyList<(string Scope, string Name)> keys, ReplicaFilter filter, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<ListedDid>>(async c =>
    {
        var sql = SqlDialect.For(c);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            SELECT k.idx, d.type, d.account, d.bytes, d.adler32, d.md5,
                   r.rse_id, r.state, r.bytes, r.path, s.name, s.rse_type, s.availability_read, s.volatile,
                   CASE WHEN d.type = 0 AND EXISTS (SELECT 1 FROM archive_contents a WHERE a.child_scope = d.scope AND a.child_name = d.name) THEN 1 ELSE 0 END
            FROM {sql.DidKeys("@keys")} k {sql.OrderedJoin} dids d ON d.scope = k.scope AND d.name = k.name
            LEFT JOIN replicas r ON r.scope = d.scope AND r.name = d.name
            LEFT JOIN rses s ON s.id = r.rse_id
            ORDER BY k.idx, s.name
            """;
        var p = cmd.CreateParameter();
        p.ParameterName = "keys";
        p.Value = KeysJson(keys);
        cmd.Parameters.Add(p);
        var found = new ListedDid[keys.Count];
        var replicas = new List<ReplicaView>[keys.Count];
        var archived = new List<(string, string)>();
        await using (var rd = await cmd.ExecuteReaderAsync(ct))
            while (await rd.ReadAsync(ct))
            {
                var i = (int)rd.GetInt64(0);
                var (scope, name) = keys[i];
                if (found[i].Type is null)
                {
                    var type = (DidType)rd.GetInt64(1);
                    var did = new Did
                    {
                        Scope = scope, Name = name, Type = type, Account = rd.GetString(2), Bytes = rd.IsDBNull(3) ? null : rd.GetInt64(3),
                        Adler32 = rd.IsDBNull(4) ? null : rd.GetString(4), Md5 = rd.IsDBNull(5) ? null : rd.GetString(5),
                    };
                    found[i] = new ListedDid(scope, name, type, type == DidType.File ? new FileReplicas(did, [], []) : null);
                    replicas[i] = [];
                    if (rd.GetInt64(14) != 0) archived.Add((scope, name));
                }
                if (rd.IsDBNull(6)) continue;
                var replica = new ReplicaView
                {
                    Scope = scope, Name = name, RseId = rd.GetString(6), State = (ReplicaState)rd.GetInt64(7), Bytes = rd.GetInt64(8),
                    Path = rd.IsDBNull(9) ? null : rd.GetString(9), Rse = rd.GetString(10), RseType = rd.GetString(11),
                    AvailabilityRead = rd.GetInt64(12) != 0, Volatile = rd.GetInt64(13) != 0,
                };
                if (filter.Wants(replica)) replicas[i].Add(replica);
            }
        var inArchives = filter.ResolveArchives && archived.Count > 0 ? await ArchiveReplicas(c, archived) : null;
        for (var i = 0; i < found.Length; i++)
        {
            if (found[i].File is not { } f) { if (found[i].Type is null) found[i] = new ListedDid(keys[i].Scope, keys[i].Name, null, null); continue; }
            var parents = filter.WithParents ? await DidCatalog.Ancestors(c, null, f.File.Scope, f.File.Name) : (IReadOnlyCollection<string>)[];
            var archives = inArchives?[(f.File.Scope, f.File.Name)].Where(filter.Wants).ToList() ?? [];
            found[i] = found[i] with { File = new FileReplicas(f.File, replicas[i], parents) { InArchives = archives } };
        }
        return found;
    }, ct);

    /// <summary>
    /// Every file below a collection, in name order: a dataset's straight from its contents' primary key; a
    /// collection holding collections through the recursive walk.
    /// </summary>
    public Task<IReadOnlyList<(string Scope, string Name)>> FileKeysAsync(string scope, string name, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<(string, string)>>(async c =>
    {
        var nested = await DidCatalog.HoldsCollections(c, scope, name);
        var query = !nested
            ? "SELECT child_scope, child_name FROM contents WHERE scope=@scope AND name=@name AND child_type=0 ORDER BY child_scope, child_name"
            : $"{DidCatalog.FilesCte} SELECT scope, name FROM files ORDER BY scope, name";
        return (await c.QueryAsync<(string, string)>(new CommandDefinition(query, new { scope, name }, cancellationToken: ct))).AsList();
    }, ct);

    private static string KeysJson(IReadOnlyList<(string Scope, string Name)> keys)
    {
        using var buffer = new MemoryStream(keys.Count * 48);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var (scope, name) in keys)
            {
                w.WriteStartArray();
                w.WriteStringValue(scope);
                w.WriteStringValue(name);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
