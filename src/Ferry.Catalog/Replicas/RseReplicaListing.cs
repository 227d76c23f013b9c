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
    /// <summary>One dataset holding the file (the first by name), as scope:name; null when none does.</summary>
    public string? Dataset { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Every replica of one RSE, for catalogue sync and for comparing the catalogue with the storage.</summary>
public sealed class RseReplicaListing(ICatalogDatabase db)
{
    /// <summary>The replicas ordered by DID; <paramref name="withDatasets"/> false leaves Dataset null and saves a lookup per file.</summary>
    public Task<IReadOnlyList<RseReplica>> ListAsync(string rseName, CancellationToken ct = default, bool withDatasets = true) => db.ReadAsync<IReadOnlyList<RseReplica>>(async c =>
    {
        var rse = await RseCatalog.Get(c, null, rseName);
        // Only files sit directly in datasets, so a content row whose child is this file names a dataset.
        var dataset = withDatasets ? "(SELECT MIN(c.scope || ':' || c.name) FROM contents c WHERE c.child_scope=r.scope AND c.child_name=r.name)" : "NULL";
        return (await c.QueryAsync<RseReplica>(new CommandDefinition($"""
            SELECT r.scope, r.name, r.bytes, d.adler32, d.md5, r.state, r.path, r.created_at, {dataset} AS dataset
            FROM replicas r JOIN dids d ON d.scope=r.scope AND d.name=r.name
            WHERE r.rse_id=@Id
            ORDER BY r.scope, r.name
            """, new { rse.Id }, cancellationToken: ct))).AsList();
    }, ct);
}
