using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Cli;

/// <summary>The README's tour, through the real `ferry` executable: upload a dataset, replicate it, download it, expire it.</summary>
public sealed class TourTests
{
    [Fact]
    public async Task Upload_100_files_replicate_download_and_expire()
    {
        await using var server = await FerryServer.StartAsync();
        var siteA = TempDirs.Create("site-a");
        var siteB = TempDirs.Create("site-b");
        await Infrastructure.Cli.OkAsync(server, "rse", "add", "SITE-A", "--prefix", siteA);
        await Infrastructure.Cli.OkAsync(server, "rse", "add", "SITE-B", "--prefix", siteB);

        var folder = TempDirs.Create("folder");
        var rng = new Random(100);
        var originals = new Dictionary<string, byte[]>();
        for (var i = 0; i < 100; i++)
        {
            var data = new byte[i % 10 == 0 ? 10_000_000 - i : rng.Next(0, 1_500_000)];
            rng.NextBytes(data);
            var name = $"file_{i:D3}.dat";
            originals[name] = data;
            await File.WriteAllBytesAsync(Path.Combine(folder, name), data);
        }
        var upload = await Infrastructure.Cli.OkAsync(server, "upload", folder, "--rse", "SITE-A", "--scope", "user.root", "--dataset", "tour100");
        Assert.Contains("100 uploaded", upload);

        var id = (await Infrastructure.Cli.OkAsync(server, "rule", "add", "user.root:tour100", "--rse-expr", "SITE-B")).Trim();
        Assert.Matches("^[0-9a-f]{32}$", id);
        await Site.WaitUntilAsync(async () =>
            JsonDocument.Parse(await Infrastructure.Cli.OkAsync(server, "rule", "show", id, "--json")).RootElement.GetProperty("state").GetString() == "OK",
            TimeSpan.FromSeconds(120), "the rule to be OK");

        var replicas = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(server, "replica", "list", "user.root:tour100", "--rses", "SITE-B", "--json")).RootElement;
        Assert.Equal(100, replicas.GetArrayLength());
        foreach (var r in replicas.EnumerateArray())
        {
            var name = r.GetProperty("name").GetString()!;
            Assert.Equal("AVAILABLE", r.GetProperty("states").GetProperty("SITE-B").GetString());
            Assert.Equal(originals[name].Length, r.GetProperty("bytes").GetInt64());
            var expectedAdler = Ferry.Core.Checksums.Adler32.ToHex(Ferry.Core.Checksums.Adler32.Compute(originals[name]));
            Assert.Equal(expectedAdler, r.GetProperty("adler32").GetString());
            var onB = Path.Combine(siteB, Ferry.Core.Paths.Lfn2Pfn.Hash("user.root", name));
            Assert.Equal(Site.Sha(originals[name]), Site.Sha(await File.ReadAllBytesAsync(onB)));
        }

        var fresh = TempDirs.Create("download");
        var download = await Infrastructure.Cli.OkAsync(server, "download", "user.root:tour100", "--dir", fresh);
        Assert.Contains("100 downloaded", download);
        foreach (var (name, data) in originals)
            Assert.Equal(Site.Sha(data), Site.Sha(await File.ReadAllBytesAsync(Path.Combine(fresh, "tour100", name))));
        Assert.DoesNotContain(Directory.EnumerateFiles(fresh, "*", SearchOption.AllDirectories), p => p.EndsWith(".part", StringComparison.Ordinal));

        await Infrastructure.Cli.OkAsync(server, "rule", "update", id, "--lifetime", "1s");
        await Site.WaitUntilAsync(() => Task.FromResult(Site.Snapshot(siteB).Count == 0), TimeSpan.FromSeconds(30), "SITE-B's disk to be empty");
        await Site.WaitUntilAsync(async () =>
            JsonDocument.Parse(await Infrastructure.Cli.OkAsync(server, "replica", "list", "user.root:tour100", "--rses", "SITE-B", "--all-states", "--json")).RootElement.GetArrayLength() == 0,
            TimeSpan.FromSeconds(30), "SITE-B's replicas to leave the catalogue");
        Assert.Equal(100, Site.Snapshot(siteA).Count);
    }

    [Fact]
    public async Task The_embedded_default_needs_no_settings_and_keeps_the_root_password_private()
    {
        await using var server = await FerryServer.StartAsync(fixedRootPassword: false);
        var file = Path.Combine(server.Home, "root-password");
        Assert.True(File.Exists(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        // Only FERRY_HOME: the CLI finds the server and the password the way a new user's shell would.
        var r = await Infrastructure.Cli.RunAsync(["whoami", "--json"], server.Home);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("root", JsonDocument.Parse(r.Stdout).RootElement.GetProperty("account").GetString());
        var rses = await Infrastructure.Cli.RunAsync(["rse", "list", "--json"], server.Home);
        Assert.Contains("LOCAL", rses.Stdout);
    }
}
