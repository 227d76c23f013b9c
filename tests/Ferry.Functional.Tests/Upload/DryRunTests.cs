using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>--dry-run catalogues and compares with the catalogue, and uploads nothing.</summary>
public sealed class DryRunTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_dry_run_uploads_nothing_and_says_what_it_would_do()
    {
        var tree = UploadTree.Make(30, awkward: false, seed: 7);
        var summary = Path.Combine(TempDirs.Create("dry"), "summary.json");
        var before = UploadTree.OnDisk(Path.Combine(f.Server.Home, "rses", "LOCAL")).Count;
        var r = await tree.UploadAsync(f.Server, "--rse", "LOCAL", "--scope", "user.root", "-r", "--dataset", "dry", "--dry-run", "--summary", summary);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("dry run: 30 files", r.Stdout);
        Assert.Equal(before, UploadTree.OnDisk(Path.Combine(f.Server.Home, "rses", "LOCAL")).Count);
        using var did = await f.Api.SendAsync("GET", "/dids/user.root/dry");
        Assert.Equal(404, (int)did.StatusCode);
        var doc = UploadTree.ReadSummary(summary);
        Assert.True(doc.GetProperty("dry_run").GetBoolean());
        Assert.Equal(30, doc.GetProperty("totals").GetProperty("planned").GetInt32());
        Assert.False(File.Exists(summary + ".journal"));
    }
}
