using System.Diagnostics;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.SitePolicies;

using Cli = Ferry.Functional.Tests.Infrastructure.Cli;

/// <summary>
/// A transfer whose source read hangs (the source file swapped for a named pipe nobody writes) stays SUBMITTED with
/// its lease renewed. The site's stalled-transfer task alerts after T1 and resets it after T2; the retry completes.
/// </summary>
public sealed class StalledTransferTests : IAsyncLifetime
{
    private FerryServer _server = null!;
    private RawApi _api = null!;

    public async Task InitializeAsync()
    {
        _server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_TRANSFER_TIMEOUT_SECONDS"] = "600" });
        _api = new RawApi(_server);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_stalled_transfer_is_alerted_then_reset_and_completes()
    {
        var a = await Site.AddPosixRseAsync(_api, "STALL-A");
        var b = await Site.AddPosixRseAsync(_api, "STALL-B");
        var file = Site.MakeFiles("user.root", "stall", 1, _ => 4000).Single();
        await Site.UploadAsync(_api, "STALL-A", a, "stall_ds", [file]);
        var path = Path.Combine(a, file.HashPath);
        File.Delete(path);
        Process.Start("mkfifo", [path])!.WaitForExit();

        var rule = await Site.AddRuleAsync(_api, "user.root", "stall_ds", "STALL-B");
        var config = Path.Combine(TempDirs.Create("stall"), "site.json");
        await File.WriteAllTextAsync(config, """{"tasks":{"stalled-transfers":{"alert_after_seconds":1,"reset_after_seconds":15}}}""");
        // T2 leaves room for a few `site run --once` between alert and reset: on a loaded machine one takes seconds.
        string? alerted = null;
        await Site.WaitUntilAsync(async () =>
        {
            var r = await Cli.RunAsync(_server, "site", "run", "--config", config, "--once");
            Assert.True(r.ExitCode == 0, r.Stderr);
            if (r.Stderr.Contains("1 alerted", StringComparison.Ordinal)) alerted = r.Stderr;
            return alerted is not null;
        }, TimeSpan.FromSeconds(60), "the hung transfer to be reported");
        Assert.Contains("TRANSFER_STALLED", (await _api.JsonAsync("GET", "/ferry/messages")).ToString());
        Assert.Equal("REPLICATING", (await _api.JsonAsync("GET", $"/rules/{rule}")).GetProperty("state").GetString());

        await Site.WaitUntilAsync(async () =>
            (await Cli.RunAsync(_server, "site", "run", "--config", config, "--once")).Stderr.Contains("1 reset", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the stalled transfer to be reset");
        Assert.Contains("TRANSFER_RESET", (await _api.JsonAsync("GET", "/ferry/messages")).ToString());

        // The storage recovers: the pipe's reader (the old, disowned attempt) gets the bytes and the path is a file again.
        await using (var pipe = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            File.Delete(path);
            await File.WriteAllBytesAsync(path, file.Content);
            await pipe.WriteAsync(file.Content);
        }
        await Site.WaitForRuleAsync(_api, rule, "OK", TimeSpan.FromSeconds(60));
        Assert.Equal(file.Content, await File.ReadAllBytesAsync(Path.Combine(b, file.HashPath)));
    }
}
