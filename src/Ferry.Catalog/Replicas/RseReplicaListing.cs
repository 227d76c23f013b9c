using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Rses;
using Ferry.Core.Model;

namespace Ferry.Catalog.Replicas;

/// <summary>A replica on one RSE with what sync and the consistency check compare: size, checksums, path, a dataset.</summary>
public sealed record RseReplica
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public long Bytes { get; init; }
    public string? Adler32 { get; init; }
    public string? Md5 { get; init; }
    public ReplicaState State { get; init; }
    public string? Path { get; init; }
    /// <summary>One dataset holding the file (the first of <see cref="Datasets"/>), as scope:name; null when none does.</summary>
    public string? Dataset { get; init; }
    /// <summary>Every dataset holding the file, as scope:name in ordinal order; a sync compares them (membership is synced state).</summary>
    public IReadOnlyList<string> Datasets { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Every replica of one RSE, for catalogue sync and for comparing the catalogue with the storage.</summary>
public sealed class RseReplicaListing(ICatalogDatabase db)
{
    /// <summary>The replicas ordered by DID; <paramref name="withDatasets"/> false leaves the datasets empty and saves a query.</summary>
    public Task<IReadOnlyList<RseReplica>> ListAsync(string rseName, CancellationToken ct = default, bool withDatasets = true) => db.ReadAsync<IReadOnlyList<RseReplica>>(async c =>
    {
        var rse = await RseCatalog.Get(c, null, rseName);
        var rows = (await c.QueryAsync<RseReplica>(new CommandDefinition("""
            SELECT r.scope, r.name, r.bytes, d.adler32, d.md5, r.state, r.path, r.created_at
            FROM replicas r JOIN dids d ON d.scope=r.scope AND d.name=r.name
            WHERE r.rse_id=@Id
            ORDER BY r.scope, r.name
            """, new { rse.Id }, cancellationToken: ct))).AsList();
        if (!withDatasets) return rows;
        // Only files sit directly in datasets, so a content row whose child is a file on the RSE names a dataset of it.
        var parents = new Dictionary<(string, string), List<string>>();
        foreach (var (scope, name, parent) in await c.QueryAsync<(string, string, string)>(new CommandDefinition("""
            SELECT c.child_scope, c.child_name, c.scope || ':' || c.name
            FROM contents c JOIN replicas r ON r.scope=c.child_scope AND r.name=c.child_name
            WHERE r.rse_id=@Id
            """, new { rse.Id }, cancellationToken: ct)))
        {
            if (!parents.TryGetValue((scope, name), out var list)) parents[(scope, name)] = list = [];
            list.Add(parent);
        }
        foreach (var list in parents.Values) list.Sort(StringComparer.Ordinal);
        return rows.Select(r => parents.TryGetValue((r.Scope, r.Name), out var list) ? r with { Datasets = list, Dataset = list[0] } : r).ToList();
    }, ct);
}
