using Dapper;
using Ferry.Core.Model;

namespace Ferry.Catalog.Dids;

public sealed partial class DidCatalog
{
    /// <summary>
    /// The DIDs among <paramref name="keys"/> that exist, on one connection, a thousand names per query and scope: a
    /// request about a batch of files (verifying a thousand replicas) costs a few queries, not one connection per file.
    /// </summary>
    public Task<Dictionary<(string Scope, string Name), Did>> FindManyAsync(IEnumerable<(string Scope, string Name)> keys) => db.ReadAsync(async c =>
    {
        var found = new Dictionary<(string, string), Did>();
        foreach (var group in keys.GroupBy(k => k.Scope))
            foreach (var chunk in group.Select(k => k.Name).Distinct().Chunk(1000))
                foreach (var d in await c.QueryAsync<Did>("SELECT * FROM dids WHERE scope=@scope AND name IN @chunk", new { scope = group.Key, chunk }))
                    found[(d.Scope, d.Name)] = d;
        return found;
    });
}
