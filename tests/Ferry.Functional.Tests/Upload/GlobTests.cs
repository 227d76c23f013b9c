using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>--glob selects files by their path relative to the PATH directory; --meta lands on each of them.</summary>
public sealed class GlobTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Globs_select_a_subset_and_directories_are_never_files()
    {
        var tree = UploadTree.Make(60, awkward: false);
        Directory.CreateDirectory(Path.Combine(tree.Root, "dir1", "sub1", "data-999.dat"));    // a directory whose name matches
        var r = await tree.UploadAsync(f.Server, "--rse", "LOCAL", "--scope", "user.root", "--dataset", "globbed",
            "--glob", "dir1/**/data-*.dat", "--glob", "**/run.*.dat", "--meta", "campaign=glob7", "--meta", "run=42");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var expected = tree.Files.Where(x => x.Key.StartsWith("dir1/", StringComparison.Ordinal) && x.Key.Contains("/data-", StringComparison.Ordinal) || x.Key.Contains("/run.", StringComparison.Ordinal))
            .ToDictionary(x => x.Key, x => x.Value);
        Assert.InRange(expected.Count, 10, 40);
        Assert.Contains($"{expected.Count} uploaded", r.Stdout);
        await UploadTree.AssertRegisteredAsync(f.Api, "user.root", "globbed", "LOCAL", expected);
        foreach (var name in expected.Keys.Take(3))
        {
            // campaign is one of Rucio's DID columns (plugin DID_COLUMN), run a free key (plugin JSON): ALL shows both.
            var meta = await f.Api.JsonAsync("GET", $"/dids/user.root/{Uri.EscapeDataString(name)}/meta?plugin=ALL");
            Assert.Equal("glob7", meta.GetProperty("campaign").GetString());
            Assert.Equal(42, meta.GetProperty("run").GetInt64());
        }
    }
}
