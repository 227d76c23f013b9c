using System.Diagnostics;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>SIGTERM (like Ctrl-C) stops the upload cleanly: a valid summary marked interrupted, exit code 130, and a rerun finishes.</summary>
public sealed class InterruptTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Sigterm_writes_a_valid_summary_and_the_rerun_completes()
    {
        var tree = UploadTree.Make(3000, awkward: false, seed: 21);
        var summary = Path.Combine(TempDirs.Create("term"), "summary.json");
        string[] args = ["upload", tree.Root, "--rse", "LOCAL", "--scope", "user.root", "-r", "--dataset", "termed", "--summary", summary, "--batch-size", "40", "--parallel", "1"];
        var journal = summary + ".journal";
        var (p, stderr) = await UploadTree.StartAndWaitAsync(f.Server, args, () => UploadTree.JournalEvents(journal, "done") >= 80);
        using (p)
        {
            using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}: {await stderr}");
            Assert.Contains("interrupted", await stderr);
        }
        var doc = UploadTree.ReadSummary(summary);
        Assert.True(doc.GetProperty("interrupted").GetBoolean());
        Assert.Equal(3000, doc.GetProperty("files").GetArrayLength());
        Assert.True(doc.GetProperty("totals").GetProperty("pending").GetInt32() > 0);

        var r = await Infrastructure.Cli.RunAsync(args, f.Server.Home, UploadTree.RootEnv(f.Server));
        Assert.True(r.ExitCode == 0, r.Stderr);
        await UploadTree.AssertRegisteredAsync(f.Api, "user.root", "termed", "LOCAL", tree.Files);
    }
}
