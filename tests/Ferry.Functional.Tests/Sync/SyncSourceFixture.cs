using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Sync;

/// <summary>
/// The source of the sync tests: a real Ferry server with three posix RSEs (two at one site in one region, one
/// elsewhere), attributes and distances, 20 datasets of 3 files spread over the three RSEs, two containers holding
/// them, and one RSE that maps names with 'identity'. Tests sync it into fresh target servers, which point at the
/// same storage, as a catalogue migration does.
/// </summary>
public sealed class SyncSourceFixture : IAsyncLifetime
{
    public static readonly string[] Rses = ["SYNC-A", "SYNC-B", "SYNC-C"];
    public const string IdentityRse = "SYNC-ID";
    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;
    public Dictionary<string, string> Prefixes { get; } = [];
    public List<(string Dataset, string Rse, List<TestFile> Files)> Datasets { get; } = [];

    public async Task InitializeAsync()
    {
        Server = await FerryServer.StartAsync();
        Api = new RawApi(Server);
        foreach (var rse in Rses.Append(IdentityRse)) Prefixes[rse] = await Site.AddPosixRseAsync(Api, rse);
        await Attr("SYNC-A", "site", "CERN"); await Attr("SYNC-A", "region", "eu"); await Attr("SYNC-A", "tier", "1");
        await Attr("SYNC-B", "site", "CERN"); await Attr("SYNC-B", "region", "eu"); await Attr("SYNC-B", "tier", "2");
        await Attr("SYNC-C", "site", "FNAL"); await Attr("SYNC-C", "region", "us"); await Attr("SYNC-C", "tier", "1");
        await Attr(IdentityRse, "lfn2pfn_algorithm", "identity");
        foreach (var (a, b, d) in new[] { ("SYNC-A", "SYNC-B", 4), ("SYNC-B", "SYNC-A", 4), ("SYNC-A", "SYNC-C", 9) })
            Assert.Equal(201, (int)(await Api.SendAsync("POST", $"/rses/{a}/distances/{b}", $$"""{"distance":{{d}}}""")).StatusCode);
        for (var i = 0; i < 20; i++)
        {
            var rse = Rses[i % 3];
            var dataset = $"sync_ds_{i:D2}";
            var files = Site.MakeFiles("user.root", dataset, 3, n => 1000 + 100 * n + i);
            await Site.UploadAsync(Api, rse, Prefixes[rse], dataset, files);
            Datasets.Add((dataset, rse, files));
        }
        for (var c = 0; c < 2; c++)
        {
            Assert.Equal(201, (int)(await Api.SendAsync("POST", $"/dids/user.root/sync_cont_{c}", """{"type":"CONTAINER"}""")).StatusCode);
            var children = JsonSerializer.Serialize(new { dids = Datasets.Skip(10 * c).Take(10).Select(d => new { scope = "user.root", name = d.Dataset }) });
            Assert.Equal(201, (int)(await Api.SendAsync("POST", $"/dids/user.root/sync_cont_{c}/dids", children)).StatusCode);
        }
    }

    private async Task Attr(string rse, string key, string value) =>
        Assert.Equal(201, (int)(await Api.SendAsync("POST", $"/rses/{rse}/attr/{key}", JsonSerializer.Serialize(new { value }))).StatusCode);

    /// <summary>`ferry ARGS` against <paramref name="target"/> as root, with the source's password where `--from` reads it.</summary>
    public static Task<CliResult> RunAsync(FerryServer target, params string[] args) =>
        Infrastructure.Cli.RunAsync(args, target.Home, new Dictionary<string, string>
        {
            ["FERRY_URL"] = target.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword,
            ["FERRY_SOURCE_PASSWORD"] = FerryServer.RootPassword,
        });

    public static async Task<string> OkAsync(FerryServer target, params string[] args)
    {
        var r = await RunAsync(target, args);
        Assert.True(r.ExitCode == 0, $"ferry {string.Join(' ', args)} exited {r.ExitCode}\nstdout: {r.Stdout}\nstderr: {r.Stderr}");
        return r.Stdout;
    }

    /// <summary>A server's replicas of an RSE as comparable lines: did, bytes, adler32, dataset.</summary>
    public static async Task<List<string>> ReplicasAsync(RawApi api, string rse) =>
        (await api.StreamAsync("GET", $"/ferry/rses/{rse}/replicas"))
            .Select(r => $"{r.GetProperty("scope").GetString()}:{r.GetProperty("name").GetString()} {r.GetProperty("bytes").GetInt64()} {r.GetProperty("adler32").GetString()} {r.GetProperty("dataset").GetString()} {r.GetProperty("state").GetString()}")
            .ToList();

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SyncSourceCollection : ICollectionFixture<SyncSourceFixture>
{
    public const string Name = "sync source";
}
