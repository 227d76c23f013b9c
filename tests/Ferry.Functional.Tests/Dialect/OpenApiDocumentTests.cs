using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// The OpenAPI document is committed (docs/openapi.json) and must be what the server serves: a change to a route,
/// its name, tag or schemas shows up in review as a change to that file. After an intended change, regenerate it with
/// <c>scripts/openapi.sh</c> (this test with FERRY_UPDATE_OPENAPI=1).
/// </summary>
public sealed class OpenApiDocumentTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public async Task The_committed_document_is_the_one_the_server_serves()
    {
        using var resp = await f.Api.SendAsync("GET", "/openapi/v1.json", auth: false);
        Assert.Equal(200, (int)resp.StatusCode);
        var served = Normalize(await resp.Content.ReadAsStringAsync());
        var path = Path.Combine(RepoRoot(), "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable("FERRY_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served + "\n");
            return;
        }
        Assert.True(File.Exists(path), "docs/openapi.json is missing: run scripts/openapi.sh");
        var committed = Normalize(await File.ReadAllTextAsync(path));
        Assert.True(committed == served, "docs/openapi.json differs from the server's /openapi/v1.json: run scripts/openapi.sh and review the change");
    }

    [Fact]
    public async Task Every_endpoint_declares_Rucios_error_shape_and_typed_ones_their_schemas()
    {
        using var resp = await f.Api.SendAsync("GET", "/openapi/v1.json", auth: false);
        var doc = JsonNode.Parse(await resp.Content.ReadAsStringAsync())!;
        var schemas = doc["components"]!["schemas"]!.AsObject();
        Assert.Equal(["ExceptionClass", "ExceptionMessage"], schemas["RucioError"]!["properties"]!.AsObject().Select(p => p.Key).Order());
        var view = schemas["RucioSubscription"]!["properties"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("replication_rules", view);
        Assert.Contains("last_processed", view);
        var post = doc["paths"]!["/subscriptions/{account}/{name}"]!["post"]!;
        Assert.NotNull(post["requestBody"]);
        Assert.NotNull(post["responses"]!["409"]);
    }

    [Fact]
    public async Task The_DID_routes_behind_the_catch_all_have_their_records()
    {
        using var resp = await f.Api.SendAsync("GET", "/openapi/v1.json", auth: false);
        var doc = JsonNode.Parse(await resp.Content.ReadAsStringAsync())!;
        string? Ref(string path, string method, string type) =>
            doc["paths"]![path]?[method]?["responses"]?["200"]?["content"]?[type]?["schema"]?["$ref"]?.GetValue<string>();
        Assert.Equal("#/components/schemas/RucioDidFile", Ref("/dids/{scope}/{name}/files", "get", "application/x-json-stream"));
        Assert.Equal("#/components/schemas/RucioDidColumns", Ref("/dids/{scope}/{name}/meta", "get", "application/json"));
        Assert.Equal("#/components/schemas/RucioRule", Ref("/dids/{scope}/{name}/rules", "get", "application/x-json-stream"));
        var schemas = doc["components"]!["schemas"]!.AsObject();
        Assert.Contains("adler32", schemas["RucioFileDid"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Contains("open", schemas["RucioCollectionDid"]!["properties"]!.AsObject().Select(p => p.Key));
    }

    // The server's own address differs per run; everything else must match byte for byte once indented alike.
    private static string Normalize(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("servers");
        return node.ToJsonString(Indented);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ferry.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Ferry.slnx) above " + AppContext.BaseDirectory);
    }
}
