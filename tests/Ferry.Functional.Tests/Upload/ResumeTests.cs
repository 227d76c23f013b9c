using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>An upload killed with SIGKILL halfway, then run again: every file ends registered exactly once, with its checksum.</summary>
public sealed class ResumeTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Sigkill_halfway_then_the_same_command_finishes_with_every_file_once()
    {
        var tree = UploadTree.Make(2000, awkward: true, seed: 11);
        var work = TempDirs.Create("resume");
        var summary = Path.Combine(work, "summary.json");
        var journal = summary + ".journal";
        string[] args = ["upload", tree.Root, "--rse", "LOCAL", "--scope", "user.root", "-r", "--sanitize-names", "--dataset", "resumed",
            "--summary", summary, "--batch-size", "40", "--parallel", "2"];
        var env = UploadTree.RootEnv(f.Server);
        var (p, _) = await UploadTree.StartAndWaitAsync(f.Server, args, () => UploadTree.JournalEvents(journal, "done") >= 600);
        using (p)
        {
            p.Kill(entireProcessTree: true);    // SIGKILL
            await p.WaitForExitAsync();
        }
        var doneBeforeKill = UploadTree.JournalEvents(journal, "done");
        Assert.InRange(doneBeforeKill, 600, 1999);
        Assert.False(File.Exists(summary), "a SIGKILLed run writes no summary");

        var r = await Infrastructure.Cli.RunAsync(args, f.Server.Home, env);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var doc = UploadTree.ReadSummary(summary);
        var totals = doc.GetProperty("totals");
        Assert.Equal(2000, totals.GetProperty("uploaded").GetInt32() + totals.GetProperty("already_present").GetInt32());
        Assert.True(totals.GetProperty("already_present").GetInt32() >= 600, totals.ToString());
        Assert.Equal(0, totals.GetProperty("failed").GetInt32());

        var expected = tree.Files.ToDictionary(x => Ferry.Transfer.Upload.DidNames.Sanitize(x.Key), x => x.Value);
        await UploadTree.AssertRegisteredAsync(f.Api, "user.root", "resumed", "LOCAL", expected);
        // Exactly one copy of each file on the RSE, nothing left under a temporary name.
        var onDisk = UploadTree.OnDisk(Path.Combine(f.Server.Home, "rses", "LOCAL"));    // this class's server holds only this upload
        Assert.DoesNotContain(onDisk, p => p.EndsWith(".ferry.part", StringComparison.Ordinal));
        Assert.Equal(2000, onDisk.Count);
    }
}
