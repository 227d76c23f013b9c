using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Data;

/// <summary>`ferry data files` (PFNs per protocol) and `ferry data download` (the SDK's verified downloader, dry run first).</summary>
public sealed class FilesAndDownloadTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private async Task<(DataCatalogue C, List<TestFile> A, List<TestFile> B)> Catalogue(string stem)
    {
        var c = new DataCatalogue(f.Server, f.Api);
        var rse = $"F{stem.ToUpperInvariant()}";
        await c.RseAsync(rse);
        // A second protocol: PFNs are listed per protocol, whether or not this machine could read it.
        var root = JsonSerializer.Serialize(new { hostname = "xrootd.example.org", port = 1094, prefix = "/store/", domains = new { wan = new { read = 2, write = 2, delete = 2 } } });
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", $"/rses/{rse}/protocols/root", root)).StatusCode);
        await c.DatasetsAsync("user.root", [$"{stem}_a", $"{stem}_b"]);
        return (c, await c.FilesAsync($"user.root:{stem}_a", 2, rse), await c.FilesAsync($"user.root:{stem}_b", 1, rse));
    }

    [Fact]
    public async Task Files_prints_a_pfn_per_protocol_as_json_or_lines()
    {
        var (c, a, b) = await Catalogue("fl");
        var json = await c.Ferry("data", "files", "--pattern", "fl_.*", "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        using var doc = JsonDocument.Parse(json.Stdout);
        var files = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(a.Concat(b).Select(x => x.Name).Order(), files.Select(x => x.GetProperty("name").GetString()).Order());
        Assert.All(files, x => Assert.Equal(["file", "root"], x.GetProperty("pfns").EnumerateArray().Select(p => p.GetProperty("protocol").GetString()).Order()));

        var lines = (await Infrastructure.Cli.OkAsync(f.Server, "data", "files", "--pattern", "fl_.*", "--protocol", "root")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("root://xrootd.example.org:1094/store/", l));
        var local = (await Infrastructure.Cli.OkAsync(f.Server, "data", "files", "--pattern", "fl_a", "--protocol", "file")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, local.Length);
        Assert.All(local, l => Assert.True(File.Exists(l["file://localhost".Length..]), l));
        Assert.Equal("", await Infrastructure.Cli.OkAsync(f.Server, "data", "files", "--pattern", "fl_.*", "--protocol", "s3"));
    }

    [Fact]
    public async Task Download_prints_its_plan_then_fetches_every_file_verified()
    {
        var (c, a, b) = await Catalogue("dl");
        var dir = TempDirs.Create("dl");
        var dry = await c.Ferry("data", "download", "--pattern", "dl_.*", "--dir", dir);
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        Assert.Contains("user.root:dl_a", dry.Stdout);
        Assert.Contains("2 file(s)", dry.Stdout);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));

        var run = await c.Ferry("data", "download", "--pattern", "dl_.*", "--dir", dir, "--submit", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.All(DataOutput.Items(run), r => Assert.Equal("downloaded", DataOutput.Outcome(r)));
        foreach (var (ds, list) in new[] { ("dl_a", a), ("dl_b", b) })
            foreach (var file in list) Assert.Equal(Site.Sha(file.Content), Site.Sha(await File.ReadAllBytesAsync(Path.Combine(dir, ds, file.Name))));

        var again = await c.Ferry("data", "download", "--pattern", "dl_.*", "--dir", dir, "--submit", "--json");
        Assert.All(DataOutput.Items(again), r => Assert.Equal("exists", DataOutput.Outcome(r)));
    }
}
