using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>A file the catalogue already has with other bytes is an error for that file, never an overwrite.</summary>
public sealed class ChecksumConflictTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_changed_local_file_is_refused_and_the_registered_bytes_stay()
    {
        var tree = UploadTree.Make(6, awkward: false, seed: 31);
        var first = await tree.UploadAsync(f.Server, "-r", "--rse", "LOCAL", "--scope", "user.root", "--dataset", "conflict");
        Assert.True(first.ExitCode == 0, first.Stderr);
        var changed = tree.Files.Keys.First();
        var onRse = Path.Combine(f.Server.Home, "rses", "LOCAL", Ferry.Core.Paths.Lfn2Pfn.Hash("user.root", changed));
        var registered = Site.Sha(File.ReadAllBytes(onRse));
        File.WriteAllBytes(Path.Combine(tree.Root, changed), [1, 2, 3]);

        var summary = Path.Combine(TempDirs.Create("conflict"), "summary.json");
        var r = await tree.UploadAsync(f.Server, "-r", "--rse", "LOCAL", "--scope", "user.root", "--dataset", "conflict", "--summary", summary);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("0 uploaded, 5 already present, 1 failed", r.Stdout);
        Assert.Contains("failed: 1 checksum differs from the catalogue", r.Stderr);
        Assert.Equal(registered, Site.Sha(File.ReadAllBytes(onRse)));
        var failed = UploadTree.ReadSummary(summary).GetProperty("files").EnumerateArray().Single(x => x.GetProperty("status").GetString() == "FAILED");
        Assert.Equal("CHECKSUM_CONFLICT", failed.GetProperty("error_kind").GetString());
        Assert.Equal(changed, failed.GetProperty("name").GetString());
    }
}
