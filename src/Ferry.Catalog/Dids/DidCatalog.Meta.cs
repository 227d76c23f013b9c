using System.Text.Json;
using Dapper;

namespace Ferry.Catalog.Dids;

public sealed partial class DidCatalog
{
    /// <summary>
    /// The metadata of many DIDs on one connection, a thousand names per query and scope (a bulk metadata request
    /// asks about hundreds of DIDs); DIDs without metadata are left out.
    /// </summary>
    public Task<Dictionary<(string Scope, string Name), Dictionary<string, JsonElement>>> MetaManyAsync(IEnumerable<(string Scope, string Name)> keys) => db.ReadAsync(async c =>
    {
        var found = new Dictionary<(string, string), Dictionary<string, JsonElement>>();
        foreach (var group in keys.GroupBy(k => k.Scope))
            foreach (var chunk in group.Select(k => k.Name).Distinct().Chunk(1000))
                foreach (var (name, key, value) in await c.QueryAsync<(string, string, string)>(
                    "SELECT name, key, value FROM did_meta WHERE scope=@scope AND name IN @chunk ORDER BY name, key", new { scope = group.Key, chunk }))
                {
                    if (!found.TryGetValue((group.Key, name), out var meta)) found[(group.Key, name)] = meta = [];
                    meta[key] = JsonDocument.Parse(value).RootElement.Clone();
                }
        return found;
    });
}
