using System.Data.Common;
using System.Text.Json;
using Dapper;
using Ferry.Core.Errors;

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

    public Task<IReadOnlyDictionary<string, JsonElement>> MetaAsync(string scope, string name) => db.ReadAsync<IReadOnlyDictionary<string, JsonElement>>(async c =>
    {
        _ = await Find(c, null, scope, name) ?? throw FerryException.DidNotFound(scope, name);
        return (await c.QueryAsync<(string Key, string Value)>("SELECT key, value FROM did_meta WHERE scope=@scope AND name=@name ORDER BY key", new { scope, name }))
            .ToDictionary(m => m.Key, m => JsonDocument.Parse(m.Value).RootElement.Clone());
    });

    public Task SetMetaAsync(string scope, string name, IReadOnlyDictionary<string, JsonElement> meta) => db.WriteAsync(async (c, tx) =>
    {
        _ = await Find(c, tx, scope, name) ?? throw FerryException.DidNotFound(scope, name);
        await SetMeta(c, tx, scope, name, meta);
        return 0;
    });

    /// <summary>Metadata for many DIDs in one transaction: all are set, or (a DID does not exist) none.</summary>
    public Task SetMetaBulkAsync(IReadOnlyList<(string Scope, string Name, IReadOnlyDictionary<string, JsonElement> Meta)> items) => db.WriteAsync(async (c, tx) =>
    {
        foreach (var (scope, name, meta) in items)
        {
            _ = await Find(c, tx, scope, name) ?? throw FerryException.DidNotFound(scope, name);
            await SetMeta(c, tx, scope, name, meta);
        }
        return items.Count;
    });

    public Task DeleteMetaAsync(string scope, string name, string key) => db.WriteAsync(async (c, tx) =>
    {
        var n = await c.ExecuteAsync("DELETE FROM did_meta WHERE scope=@scope AND name=@name AND key=@key", new { scope, name, key }, tx);
        if (n == 0) throw FerryException.NotFound("KeyNotFound", $"'{scope}:{name}' has no metadata key '{key}'");
        return n;
    });

    private async Task SetMeta(DbConnection c, DbTransaction tx, string scope, string name, IReadOnlyDictionary<string, JsonElement> meta)
    {
        foreach (var (key, value) in meta)
        {
            if (string.IsNullOrEmpty(key) || key.Length > 255) throw FerryException.Invalid("Metadata keys are 1-255 characters");
            switch (key)
            {
                case "events" when value.ValueKind == JsonValueKind.Number:
                    if (!value.TryGetInt64(out var events) || events < 0) throw FerryException.Invalid($"'events' must be a whole number from 0 up, got {value.GetRawText()}");
                    await c.ExecuteAsync("UPDATE dids SET events=@v WHERE scope=@scope AND name=@name", new { v = events, scope, name }, tx);
                    continue;
                case "guid" when value.ValueKind == JsonValueKind.String:
                    await c.ExecuteAsync("UPDATE dids SET guid=@v WHERE scope=@scope AND name=@name", new { v = value.GetString()!.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant(), scope, name }, tx);
                    continue;
                case "lifetime":
                    DateTimeOffset? expires = value.ValueKind == JsonValueKind.Number ? clock.GetUtcNow().AddSeconds(value.GetDouble()) : null;
                    await c.ExecuteAsync("UPDATE dids SET expired_at=@expires WHERE scope=@scope AND name=@name", new { expires, scope, name }, tx);
                    continue;
            }
            await c.ExecuteAsync("INSERT INTO did_meta(scope,name,key,value) VALUES (@scope,@name,@key,@value) ON CONFLICT(scope,name,key) DO UPDATE SET value=excluded.value",
                new { scope, name, key, value = value.GetRawText() }, tx);
        }
    }
}
