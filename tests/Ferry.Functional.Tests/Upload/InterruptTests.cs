using System.Diagnostics;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>SIGTERM (like Ctrl-C) stops the upload cleanly: a valid summary marked interrupted, exit code 130, and a rerun finishes.</summary>
public sealed class InterruptTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Sigterm_writes_a_valid_summary_and_the_rerun_completes()
    {
        var tree = UploadTree.Make(1500, awkward: false, seed: 21);
        var summary = Path.Combine(TempDirs.Create("term"), "summary.json");
        string[] args = ["upload", tree.Root, "--rse", "LOCAL", "--scope", "user.root", "-r", "--dataset", "termed", "--summary", summary, "--batch-size", "40", "--parallel", "1"];
        var env = new Dictionary<string, string> { ["FERRY_URL"] = f.Server.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword };
        using (var p = Process.Start(Infrastructure.Cli.StartInfo(args, f.Server.Home, env))!)
        {
            p.StandardInput.Close();
            var stderr = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            var journal = summary + ".journal";
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((!File.Exists(journal) || new FileInfo(journal).Length < 100_000) && !p.HasExited && DateTime.UtcNow < deadline) await Task.Delay(5);
            Assert.False(p.HasExited, "the upload finished before it could be interrupted");
            using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 130, await stderr);
            Assert.Contains("interrupted", await stderr);
        }
        var doc = UploadTree.ReadSummary(summary);
        Assert.True(doc.GetProperty("interrupted").GetBoolean());
        Assert.Equal(1500, doc.GetProperty("files").GetArrayLength());
        Assert.True(doc.GetProperty("totals").GetProperty("pending").GetInt32() > 0);

        var r = await Infrastructure.Cli.RunAsync(args, f.Server.Home, env);
        Assert.True(r.ExitCode == 0, r.Stderr);
        await UploadTree.AssertRegisteredAsync(f.Api, "user.root", "termed", "LOCAL", tree.Files);
    }
}
