using Ferry.Functional.Tests.Infrastructure;
using Ferry.Testing;

namespace Ferry.Functional.Tests.Upload;

/// <summary>
/// Bulk upload to RSEs on real WebDAV, S3 and SFTP servers: killed with SIGKILL partway, run again, and every file
/// ends registered once with its checksum and its bytes, byte for byte, on the storage.
/// </summary>
public sealed class RemoteUploadTests
{
    [SkippableTheory, InlineData("http"), InlineData("s3"), InlineData("sftp")]
    public async Task Sigkill_partway_to_remote_storage_then_the_rerun_completes(string scheme)
    {
        StorageServices.Require();
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var rse = "UP_" + scheme.ToUpperInvariant();
        var area = await StorageSites.AddAsync(server, api, rse, scheme);
        var tree = UploadTree.Make(800, awkward: true, seed: 23, size: i => 32_000 + i * 97);
        var summary = Path.Combine(TempDirs.Create("remote-upload"), "summary.json");
        string[] args = ["upload", tree.Root, "--rse", rse, "--scope", "user.root", "-r", "--sanitize-names", "--dataset", "remote",
            "--summary", summary, "--batch-size", "20", "--parallel", "2"];

        var (p, _) = await UploadTree.StartAndWaitAsync(server, args, () => UploadTree.JournalEvents(summary + ".journal", "copied") >= 20);
        using (p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        var r = await Infrastructure.Cli.RunAsync(args, server.Home, UploadTree.RootEnv(server));
        Assert.True(r.ExitCode == 0, r.Stderr);
        var totals = UploadTree.ReadSummary(summary).GetProperty("totals");
        Assert.Equal(0, totals.GetProperty("failed").GetInt32());
        Assert.Equal(800, totals.GetProperty("uploaded").GetInt32() + totals.GetProperty("already_present").GetInt32());

        var expected = tree.Files.ToDictionary(x => Ferry.Transfer.Upload.DidNames.Sanitize(x.Key), x => x.Value);
        await UploadTree.AssertRegisteredAsync(api, "user.root", "remote", rse, expected);
        foreach (var (name, data) in expected.Take(60))
        {
            var stored = await StorageSites.ReadAsync(area, Ferry.Core.Paths.Lfn2Pfn.Hash("user.root", name));
            Assert.True(data.AsSpan().SequenceEqual(stored), $"{name} differs on {scheme}");
        }
    }
}
