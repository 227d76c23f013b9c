using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;
using Ferry.Testing;

namespace Ferry.Functional.Tests.Transfers;

/// <summary>
/// A large file on storage that serves byte ranges (WebDAV, S3, Ferry's own /storage) comes over several streams at
/// once; each range is checksummed on its own and the pieces are combined into the file's adler32, which must match
/// the catalogue before the file gets its name. The size threshold is lowered through FERRY_RANGED_MIN_BYTES so that
/// an 8 MB file takes the ranged path.
/// </summary>
public sealed class RangedDownloadTests
{
    private static Dictionary<string, string> Env(FerryServer server, string? schemes = null)
    {
        var env = new Dictionary<string, string>
        {
            ["FERRY_URL"] = server.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword,
            ["FERRY_RANGED_MIN_BYTES"] = "1000000", ["FERRY_RANGED_STREAMS"] = "4",
        };
        if (schemes is not null) env["FERRY_SCHEMES"] = schemes;
        return env;
    }

    private static async Task<JsonElement> DownloadAsync(FerryServer server, Dictionary<string, string> env, string did, string into)
    {
        var r = await Infrastructure.Cli.RunAsync(["download", did, "--dir", into, "--json"], server.Home, env);
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        return JsonDocument.Parse(r.Stdout).RootElement.EnumerateArray().Single();
    }

    [SkippableTheory, InlineData("http"), InlineData("s3")]
    public async Task A_large_file_comes_over_four_ranges_and_arrives_whole(string scheme)
    {
        StorageServices.Require();
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        await StorageSites.AddAsync(server, api, "RANGED_SITE", scheme);
        var file = Site.MakeFiles("user.root", "ranged_" + scheme, 1, _ => 8_000_003)[0];
        var local = Path.Combine(TempDirs.Create("ranged-src"), file.Name);
        await File.WriteAllBytesAsync(local, file.Content);
        await Infrastructure.Cli.OkAsync(server, "upload", local, "--rse", "RANGED_SITE", "--scope", "user.root");

        var into = TempDirs.Create("ranged-into");
        var result = await DownloadAsync(server, Env(server), $"user.root:{file.Name}", into);
        Assert.Equal("DOWNLOADED", result.GetProperty("status").GetString());
        Assert.Equal(4, result.GetProperty("streams").GetInt32());
        Assert.Equal(file.Content, await File.ReadAllBytesAsync(Path.Combine(into, "user.root", file.Name)));
        Assert.False(File.Exists(Path.Combine(into, "user.root", file.Name + ".ferry.part")));
    }

    [Fact]
    public async Task A_wrong_byte_in_a_late_range_fails_the_file_and_nothing_lands_under_its_name()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var prefix = await Site.AddPosixRseAsync(api, "RANGED_SERVED");
        using (var http = await api.SendAsync("POST", "/rses/RANGED_SERVED/protocols/http", JsonSerializer.Serialize(new
        {
            hostname = "127.0.0.1", port = server.Port, prefix = "/storage/RANGED_SERVED/",
            domains = new { lan = new { read = 2, write = 2, delete = 2 }, wan = new { read = 2, write = 2, delete = 2 } },
        })))
            Assert.Equal(201, (int)http.StatusCode);
        var good = Site.MakeFiles("user.root", "ranged_good", 1, _ => 6_000_000)[0];
        var bad = Site.MakeFiles("user.root", "ranged_bad", 1, _ => 6_000_000)[0];
        await Site.UploadAsync(api, "RANGED_SERVED", prefix, "ranged_ds", [good, bad]);
        // One byte of the last quarter changed on the storage after registration: only that range sees it.
        var stored = Path.Combine(prefix, bad.HashPath);
        var bytes = await File.ReadAllBytesAsync(stored);
        bytes[5_500_000] ^= 0x5A;
        await File.WriteAllBytesAsync(stored, bytes);

        var into = TempDirs.Create("ranged-bad");
        var env = Env(server, schemes: "http");
        var ok = await DownloadAsync(server, env, $"user.root:{good.Name}", into);
        Assert.Equal(4, ok.GetProperty("streams").GetInt32());
        Assert.Equal(good.Content, await File.ReadAllBytesAsync(Path.Combine(into, "user.root", good.Name)));

        var r = await Infrastructure.Cli.RunAsync(["download", $"user.root:{bad.Name}", "--dir", into, "--json"], server.Home, env);
        Assert.Contains("Checksum mismatch", r.Stdout + r.Stderr);
        Assert.False(File.Exists(Path.Combine(into, "user.root", bad.Name)));
        Assert.False(File.Exists(Path.Combine(into, "user.root", bad.Name + ".ferry.part")));
    }
}
