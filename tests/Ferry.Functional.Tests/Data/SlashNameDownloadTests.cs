using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Data;

/// <summary>
/// CMS-style names that start with '/' download under --dir as Rucio's download client places them: a dataset in
/// DIR/NAME-without-its-leading-slash/, each of its '/'-rooted files by its last segment; a file given alone in
/// DIR/SCOPE/NAME-without-its-leading-slash. A name that could climb out of --dir is refused before anything is written.
/// </summary>
public sealed class SlashNameDownloadTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    internal const string Dataset = "/store/data/Run1/RAW/block1";

    /// <summary>Two '/'-rooted files in different directories, and one relative name, in a '/'-rooted dataset.</summary>
    internal static Task<List<TestFile>> CmsDatasetAsync(RawApi api, string rse, string prefix, string dataset, string stem) =>
        DatasetAsync(api, rse, prefix, dataset, [$"/store/data/Run1/RAW/000/{stem}_a.root", $"/store/data/Run1/RAW/001/{stem}_b.root", $"{stem}/c.dat"]);

    /// <summary>Files of these names (bytes on the RSE at their hashed paths, replicas AVAILABLE) in a new dataset.</summary>
    internal static async Task<List<TestFile>> DatasetAsync(RawApi api, string rse, string prefix, string dataset, IEnumerable<string> names)
    {
        var files = names.Select((n, i) => new TestFile("user.root", n, Enumerable.Range(0, 3000 + 1000 * i).Select(b => (byte)(b * (i + 3))).ToArray())).ToList();
        foreach (var file in files)
        {
            var path = Path.Combine(prefix, file.HashPath.Replace("//", "/", StringComparison.Ordinal));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, file.Content);
        }
        var ds = $"/dids/user.root/{Uri.EscapeDataString(dataset)}";
        using (var add = await api.SendAsync("POST", ds, """{"type":"DATASET"}"""))
            Assert.True((int)add.StatusCode is 201 or 409, await add.Content.ReadAsStringAsync());
        var body = JsonSerializer.Serialize(new { rse, files = files.Select(x => new { scope = x.Scope, name = x.Name, bytes = x.Content.Length, adler32 = x.Adler32, state = "A" }) });
        using (var reg = await api.SendAsync("POST", "/replicas", body)) Assert.True(201 == (int)reg.StatusCode, await reg.Content.ReadAsStringAsync());
        var attach = JsonSerializer.Serialize(new { dids = files.Select(x => new { scope = x.Scope, name = x.Name }) });
        using (var att = await api.SendAsync("POST", $"{ds}/dids", attach)) Assert.True(201 == (int)att.StatusCode, await att.Content.ReadAsStringAsync());
        return files;
    }

    /// <summary>Where Rucio's client puts a file of a dataset: a '/'-rooted name by its last segment, any other as it is.</summary>
    internal static string InDataset(TestFile file) => file.Name.StartsWith('/') ? file.Name[(file.Name.LastIndexOf('/') + 1)..] : file.Name;

    private static void AssertTree(string dir, IEnumerable<(string Relative, byte[] Content)> expected)
    {
        var want = expected.ToDictionary(e => e.Relative, e => Site.Sha(e.Content));
        var got = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(p => Path.GetRelativePath(dir, p), p => Site.Sha(File.ReadAllBytes(p)));
        Assert.Equal(want.OrderBy(k => k.Key, StringComparer.Ordinal), got.OrderBy(k => k.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_slash_rooted_dataset_and_file_download_under_dir_as_rucio_places_them()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "SLASH-DL");
        var files = await CmsDatasetAsync(f.Api, "SLASH-DL", prefix, Dataset, "dl");

        var dir = TempDirs.Create("slash-dl");
        var run = await Infrastructure.Cli.RunAsync(f.Server, "download", $"user.root:{Dataset}", "--dir", dir);
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        AssertTree(dir, files.Select(x => ($"store/data/Run1/RAW/block1/{InDataset(x)}", x.Content)));

        // A file given by itself goes under its scope, its whole name kept below it.
        var single = TempDirs.Create("slash-file");
        var one = await Infrastructure.Cli.RunAsync(f.Server, "download", $"user.root:{files[0].Name}", "--dir", single);
        Assert.True(one.ExitCode == 0, $"exit {one.ExitCode}\n{one.Stdout}\n{one.Stderr}");
        AssertTree(single, [("user.root/store/data/Run1/RAW/000/dl_a.root", files[0].Content)]);

        var data = TempDirs.Create("slash-data");
        var plan = await Infrastructure.Cli.RunAsync(f.Server, "data", "download", "--pattern", "/store/data/Run1/RAW/block.*", "--dir", data);
        Assert.True(plan.ExitCode == 0, plan.Stderr);
        Assert.Contains(Path.Combine(data, "store/data/Run1/RAW/block1"), plan.Stdout);
        var submitted = await Infrastructure.Cli.RunAsync(f.Server, "data", "download", "--pattern", "/store/data/Run1/RAW/block.*", "--dir", data, "--submit", "--json");
        Assert.True(submitted.ExitCode == 0, $"exit {submitted.ExitCode}\n{submitted.Stdout}\n{submitted.Stderr}");
        Assert.All(DataOutput.Items(submitted), r => Assert.Equal("downloaded", DataOutput.Outcome(r)));
        AssertTree(data, files.Select(x => ($"store/data/Run1/RAW/block1/{InDataset(x)}", x.Content)));
    }

    [Fact]
    public async Task Two_files_bound_for_one_path_fail_and_neither_is_written()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "SLASH-CLASH");
        var files = await DatasetAsync(f.Api, "SLASH-CLASH", prefix, "/store/clash/block", ["/store/clash/x/same.root", "/store/clash/y/same.root", "/store/clash/x/other.root"]);
        var dir = TempDirs.Create("slash-clash");
        var run = await Infrastructure.Cli.RunAsync(f.Server, "download", "user.root:/store/clash/block", "--dir", dir);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("user.root:/store/clash/x/same.root and user.root:/store/clash/y/same.root would both land at", run.Stderr);
        Assert.Contains("1 downloaded, 0 already present, 2 failed", run.Stdout);
        AssertTree(dir, [("store/clash/block/other.root", files[2].Content)]);
    }

    [Theory]
    [InlineData("user.root:/store/../../escape")]
    [InlineData("user.root:/store/./x")]
    [InlineData("user.root:../escape")]
    [InlineData("user.root://store/x")]
    public async Task A_name_that_could_climb_out_of_dir_is_refused_and_nothing_is_written(string did)
    {
        var parent = TempDirs.Create("slash-refuse");
        var dir = Path.Combine(parent, "dl");
        var run = await Infrastructure.Cli.RunAsync(f.Server, "download", did, "--dir", dir);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Invalid DID name", run.Stderr);
        Assert.Empty(Directory.EnumerateFiles(parent, "*", SearchOption.AllDirectories));
    }
}
