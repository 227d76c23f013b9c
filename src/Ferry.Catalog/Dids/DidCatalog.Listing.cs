using Dapper;
using Ferry.Core.Model;

namespace Ferry.Catalog.Dids;

public sealed partial class DidCatalog
{
    /// <summary>
    /// The DIDs of a scope that no collection of the same scope contains (Rucio's "top" DIDs of a scope listing): a file
    /// attached only to another scope's dataset is still top in its own scope.
    /// </summary>
    public Task<IReadOnlyList<Did>> TopDidsAsync(string scope) => db.ReadAsync<IReadOnlyList<Did>>(async c =>
        (await c.QueryAsync<Did>("""
            SELECT * FROM dids d WHERE d.scope=@scope
            AND NOT EXISTS (SELECT 1 FROM contents ct WHERE ct.scope=@scope AND ct.child_scope=@scope AND ct.child_name=d.name)
            ORDER BY d.name
            """, new { scope })).AsList());

    /// <summary>
    /// The collections that contain the file with this GUID (Rucio's lookup by GUID); null when no file has it. GUIDs
    /// are kept without dashes in lower case, so the one asked for is compared the same way.
    /// </summary>
    public Task<IReadOnlyList<(string Scope, string Name)>?> ParentsByGuidAsync(string guid) => db.ReadAsync<IReadOnlyList<(string Scope, string Name)>?>(async c =>
    {
        var g = guid.Replace("-", "", StringComparison.Ordinal).Trim('{', '}').ToLowerInvariant();
        var files = (await c.QueryAsync<(string Scope, string Name)>(
            "SELECT scope, name FROM dids WHERE type=@file AND (guid=@g OR guid=@guid)", new { file = (int)DidType.File, g, guid })).AsList();
        if (files.Count == 0) return null;
        var parents = new List<(string, string)>();
        foreach (var (scope, name) in files)
            parents.AddRange(await c.QueryAsync<(string, string)>(
                "SELECT scope, name FROM contents WHERE child_scope=@scope AND child_name=@name ORDER BY scope, name", new { scope, name }));
        return parents;
    });

    /// <summary>The files among <paramref name="keys"/> that already have a replica (in any state) on the RSE named.</summary>
    public Task<HashSet<(string Scope, string Name)>> ReplicatedOnAsync(string rse, IEnumerable<(string Scope, string Name)> keys) => db.ReadAsync(async c =>
    {
        var found = new HashSet<(string, string)>();
        foreach (var group in keys.GroupBy(k => k.Scope))
            foreach (var chunk in group.Select(k => k.Name).Distinct().Chunk(1000))
                foreach (var name in await c.QueryAsync<string>("""
                    SELECT r.name FROM replicas r JOIN rses s ON s.id=r.rse_id
                    WHERE s.name=@rse AND s.deleted=0 AND r.scope=@scope AND r.name IN @chunk
                    """, new { rse, scope = group.Key, chunk }))
                    found.Add((group.Key, name));
        return found;
    });
}
