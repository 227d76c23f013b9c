using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Data;

/// <summary>Builds the catalogues the `ferry data` tests select from, through the dialect only.</summary>
public sealed class DataCatalogue(FerryServer server, RawApi api)
{
    public Dictionary<string, string> Prefixes { get; } = new();

    public async Task RseAsync(string name, string? tier = null)
    {
        Prefixes[name] = await Site.AddPosixRseAsync(api, name);
        if (tier is not null) await Ok(await api.SendAsync("POST", $"/rses/{name}/attr/tier", $$"""{"value":"{{tier}}"}"""));
    }

    public async Task ScopeAsync(string scope) => await Ok(await api.SendAsync("POST", $"/accounts/root/scopes/{scope}"));

    public async Task DatasetAsync(string did, string type = "DATASET")
    {
        var (scope, name) = Split(did);
        await Ok(await api.SendAsync("POST", $"/dids/{scope}/{name}", $$"""{"type":"{{type}}"}"""));
    }

    /// <summary>Many empty datasets, a thousand per request.</summary>
    public async Task DatasetsAsync(string scope, IEnumerable<string> names)
    {
        foreach (var chunk in names.Chunk(1000))
            await Ok(await api.SendAsync("POST", "/dids", JsonSerializer.Serialize(chunk.Select(n => new { scope, name = n, type = "DATASET" }))));
    }

    public async Task AttachAsync(string parent, params string[] children)
    {
        var (scope, name) = Split(parent);
        var body = JsonSerializer.Serialize(new { dids = children.Select(Split).Select(c => new { scope = c.Scope, name = c.Name }) });
        await Ok(await api.SendAsync("POST", $"/dids/{scope}/{name}/dids", body));
    }

    /// <summary>Files written on each RSE (bytes at the deterministic path, replicas AVAILABLE, verified by the server) and attached once.</summary>
    public async Task<List<TestFile>> FilesAsync(string dataset, int count, params string[] rses)
    {
        var (scope, name) = Split(dataset);
        var files = Site.MakeFiles(scope, name, count, i => 1000 + i);
        foreach (var rse in rses) await ReplicasAsync(rse, files);
        await AttachAsync(dataset, files.Select(f => $"{f.Scope}:{f.Name}").ToArray());
        return files;
    }

    public async Task ReplicasAsync(string rse, IReadOnlyList<TestFile> files)
    {
        foreach (var f in files)
        {
            var path = Path.Combine(Prefixes[rse], f.HashPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, f.Content);
        }
        var body = JsonSerializer.Serialize(new { rse, files = files.Select(f => new { scope = f.Scope, name = f.Name, bytes = f.Content.Length, adler32 = f.Adler32, state = "A" }) });
        await Ok(await api.SendAsync("POST", "/replicas", body));
    }

    public async Task MetaAsync(string did, string key, object value)
    {
        var (scope, name) = Split(did);
        await Ok(await api.SendAsync("POST", $"/dids/{scope}/{name}/meta/{key}", JsonSerializer.Serialize(new { value })));
    }

    public Task<string> RuleAsync(string did, string expression, long? lifetime = null)
    {
        var (scope, name) = Split(did);
        return Site.AddRuleAsync(api, scope, name, expression, lifetime: lifetime);
    }

    public async Task DeleteRuleNowAsync(string id) => await Ok(await api.SendAsync("DELETE", $"/rules/{id}?immediate=true", "{}"));

    public async Task<List<JsonElement>> RulesAsync(string account = "root") => await api.StreamAsync("GET", $"/rules/?account={account}");

    public Task<CliResult> Ferry(params string[] args) => Infrastructure.Cli.RunAsync(server, args);

    public static (string Scope, string Name) Split(string did) => (did[..did.IndexOf(':')], did[(did.IndexOf(':') + 1)..]);

    private static async Task Ok(HttpResponseMessage resp)
    {
        using (resp) Assert.True(resp.IsSuccessStatusCode, $"{resp.RequestMessage?.Method} {resp.RequestMessage?.RequestUri} -> {(int)resp.StatusCode}: {await resp.Content.ReadAsStringAsync()}");
    }
}

/// <summary>Reading `ferry data` output in tests.</summary>
public static class DataOutput
{
    /// <summary>The scope:name of every item `find --json` printed, sorted.</summary>
    public static List<string> Dids(CliResult r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\nstdout: {r.Stdout}\nstderr: {r.Stderr}");
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.EnumerateArray().Select(e => $"{e.GetProperty("scope").GetString()}:{e.GetProperty("name").GetString()}").Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The items of an action's --json output (plan or results).</summary>
    public static List<JsonElement> Items(CliResult r)
    {
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    public static string Outcome(JsonElement e) => e.GetProperty("outcome").GetString()!;
    public static string Did(JsonElement e) => $"{e.GetProperty("scope").GetString()}:{e.GetProperty("name").GetString()}";
}
