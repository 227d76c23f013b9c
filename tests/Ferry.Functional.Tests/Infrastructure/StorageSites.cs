using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Storage;
using Ferry.Testing;

namespace Ferry.Functional.Tests.Infrastructure;

/// <summary>
/// RSEs on the real test storage servers: declared through the dialect, with their secrets written to the server's
/// rse-credentials.json and to the client's (beside its config), never sent over the API.
/// </summary>
public static class StorageSites
{
    private static readonly Lock FileGate = new();

    public static async Task<TestStorage> AddAsync(FerryServer server, RawApi api, string rse, string scheme, IReadOnlyDictionary<string, string>? credentials = null)
    {
        var area = StorageServices.Area(scheme, $"{rse.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}");
        Assert.Equal(201, (int)(await api.SendAsync("POST", $"/rses/{rse}")).StatusCode);
        var protocol = JsonSerializer.Serialize(new
        {
            hostname = area.Hostname, port = area.Port, prefix = area.Prefix,
            domains = new { lan = new { read = 1, write = 1, delete = 1 }, wan = new { read = 1, write = 1, delete = 1 } },
        });
        using var added = await api.SendAsync("POST", $"/rses/{rse}/protocols/{scheme}", protocol);
        Assert.True(201 == (int)added.StatusCode, await added.Content.ReadAsStringAsync());
        WriteCredentials(server, rse, credentials ?? area.Credentials);
        return area;
    }

    public static void WriteCredentials(FerryServer server, string rse, IReadOnlyDictionary<string, string> credentials)
    {
        if (credentials.Count == 0) return;
        lock (FileGate)
            foreach (var path in new[] { Path.Combine(server.Home, "rse-credentials.json"), Path.Combine(server.Home, ".config", "ferry", "rse-credentials.json") })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var all = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))!.AsObject() : new JsonObject();
                all[rse] = new JsonObject(credentials.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
                File.WriteAllText(path + ".tmp", all.ToJsonString());
                File.Move(path + ".tmp", path, overwrite: true);
            }
    }

    public static IStorageBackend Backend(TestStorage area) =>
        StorageRegistry.Create(new ProtocolSpec(area.Scheme, area.Hostname, area.Port, area.Prefix), area.Credentials);

    public static async Task<byte[]> ReadAsync(TestStorage area, string path)
    {
        await using var s = await Backend(area).OpenReadAsync(area.Pfn(path), 0, CancellationToken.None);
        var ms = new MemoryStream();
        await s.CopyToAsync(ms);
        return ms.ToArray();
    }
}
