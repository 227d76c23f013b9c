using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>
/// Bytes a killed run left on the RSE without a replica: adopted when the journal and the bytes agree, rewritten when
/// they do not, deleted when the file is no longer part of the upload.
/// </summary>
public sealed class AdoptionTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private string Prefix => Path.Combine(f.Server.Home, "rses", "LOCAL");

    /// <summary>Puts bytes at the file's PFN and journals them as copied, as a run killed before registration leaves them.</summary>
    private string LeaveCopied(string journal, string localPath, string name, byte[] onRse, string adler32)
    {
        var pfnPath = Path.Combine(Prefix, Ferry.Core.Paths.Lfn2Pfn.Hash("user.root", name));
        Directory.CreateDirectory(Path.GetDirectoryName(pfnPath)!);
        File.WriteAllBytes(pfnPath, onRse);
        var info = new FileInfo(localPath);
        var record = new Dictionary<string, object>
        {
            ["event"] = "copied", ["path"] = localPath, ["scope"] = "user.root", ["name"] = name, ["bytes"] = info.Length,
            ["mtime_ms"] = new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeMilliseconds(), ["adler32"] = adler32, ["rse"] = "LOCAL",
            ["pfn"] = "file://localhost" + pfnPath,
        };
        File.AppendAllText(journal, JsonSerializer.Serialize(record) + "\n");
        return pfnPath;
    }

    [Fact]
    public async Task Matching_bytes_are_adopted_wrong_ones_rewritten_and_strays_deleted()
    {
        var tree = UploadTree.Make(3, awkward: false, seed: 41);
        var journal = Path.Combine(TempDirs.Create("adopt"), "upload.journal");
        var names = tree.Files.Keys.Order(StringComparer.Ordinal).ToList();
        var (good, bad) = (names[0], names[1]);
        LeaveCopied(journal, Path.Combine(tree.Root, good), good, tree.Files[good], UploadTree.Adler(tree.Files[good]));
        var corrupt = tree.Files[bad].ToArray();
        corrupt[0] ^= 0xff;
        var badPfn = LeaveCopied(journal, Path.Combine(tree.Root, bad), bad, corrupt, UploadTree.Adler(tree.Files[bad]));
        // A file that was part of an earlier run but not of this one: its bytes have no replica and must go.
        var strayLocal = Path.Combine(TempDirs.Create("stray"), "gone.dat");
        File.WriteAllBytes(strayLocal, [1, 2, 3]);
        var strayPfn = LeaveCopied(journal, strayLocal, "gone.dat", [1, 2, 3], UploadTree.Adler([1, 2, 3]));

        var summary = Path.Combine(Path.GetDirectoryName(journal)!, "summary.json");
        var r = await tree.UploadAsync(f.Server, "-r", "--rse", "LOCAL", "--scope", "user.root", "--dataset", "adopted", "--journal", journal, "--summary", summary);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var files = UploadTree.ReadSummary(summary).GetProperty("files").EnumerateArray().ToDictionary(x => x.GetProperty("name").GetString()!);
        Assert.Equal(0, files[good].GetProperty("attempts").GetInt32());     // adopted: not copied again
        Assert.Equal(1, files[bad].GetProperty("attempts").GetInt32());      // rewritten
        Assert.Equal(Site.Sha(tree.Files[bad]), Site.Sha(File.ReadAllBytes(badPfn)));
        Assert.False(File.Exists(strayPfn));
        await UploadTree.AssertRegisteredAsync(f.Api, "user.root", "adopted", "LOCAL", tree.Files);
    }
}
