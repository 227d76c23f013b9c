using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>File names that are not DID names: refused with the list of offenders, or mapped by --sanitize-names.</summary>
public sealed class SanitizeNamesTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Two_thousand_awkward_names_in_nested_folders_are_uploaded_with_sanitize_names()
    {
        var tree = UploadTree.Make(2000, awkward: true);
        var summary = Path.Combine(TempDirs.Create("summary"), "summary.json");
        var r = await tree.UploadAsync(f.Server, "--rse", "LOCAL", "--scope", "user.root", "--recursive", "--sanitize-names", "--dataset", "awkward", "--summary", summary);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("2000 uploaded, 0 already present, 0 failed", r.Stdout);
        Assert.Contains("catalogue: 2000 files", r.Stderr);

        var doc = UploadTree.ReadSummary(summary);
        Assert.Equal(2000, doc.GetProperty("totals").GetProperty("uploaded").GetInt32());
        var byName = new Dictionary<string, byte[]>();
        foreach (var file in doc.GetProperty("files").EnumerateArray())
        {
            // The summary keeps the original path beside the DID it became.
            var relative = Path.GetRelativePath(tree.Root, file.GetProperty("path").GetString()!);
            var name = file.GetProperty("name").GetString()!;
            Assert.Equal(Ferry.Transfer.Upload.DidNames.Sanitize(relative), name);
            Assert.Equal(UploadTree.Adler(tree.Files[relative]), file.GetProperty("adler32").GetString());
            Assert.Equal("UPLOADED", file.GetProperty("status").GetString());
            byName[name] = tree.Files[relative];
        }
        Assert.Contains("dir_0/sub__0/", byName.Keys.First(), StringComparison.Ordinal);
        await UploadTree.AssertRegisteredAsync(f.Api, "user.root", "awkward", "LOCAL", byName);
    }

    [Fact]
    public async Task Without_sanitize_names_invalid_names_are_listed_and_nothing_is_uploaded()
    {
        var tree = UploadTree.Make(40, awkward: true, seed: 6);
        var before = UploadTree.OnDisk(Path.Combine(f.Server.Home, "rses", "LOCAL")).Count;
        var r = await tree.UploadAsync(f.Server, "--rse", "LOCAL", "--scope", "user.root", "--recursive", "--dataset", "refused");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("40 file(s) would not make valid DID names", r.Stderr);
        Assert.Contains("data,1.dat", r.Stderr);
        Assert.Contains("not allowed: ' ' ','", r.Stderr);
        Assert.Contains("--sanitize-names", r.Stderr);
        Assert.Equal(before, UploadTree.OnDisk(Path.Combine(f.Server.Home, "rses", "LOCAL")).Count);
        using var did = await f.Api.SendAsync("GET", "/dids/user.root/refused");
        Assert.Equal(404, (int)did.StatusCode);
    }
}
