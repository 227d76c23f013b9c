using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Recovery;

/// <summary>A server killed with SIGKILL in the middle of replication comes back and finishes, never exposing a bad file.</summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task Sigkill_while_a_rule_replicates_then_restart_finishes_the_rule()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var a = await Site.AddPosixRseAsync(api, "CRASH-A");
        var b = await Site.AddPosixRseAsync(api, "CRASH-B");
        var files = Site.MakeFiles("user.root", "crash", 48, i => 6_000_000 + i * 1013);
        await Site.UploadAsync(api, "CRASH-A", a, "crash_ds", files);
        var expected = files.ToDictionary(f => f.HashPath, f => Site.Sha(f.Content));

        var id = await Site.AddRuleAsync(api, "user.root", "crash_ds", "CRASH-B");
        // Watched from a thread of its own: under load the thread pool can hold an awaited delay back long enough for
        // every copy to finish before the kill (seen in CI), and then the test proves nothing.
        await Task.Factory.StartNew(() =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!Directory.EnumerateFiles(b, "*", SearchOption.AllDirectories).Any() && DateTime.UtcNow < deadline) Thread.Sleep(1);
            server.Kill();
        }, TaskCreationOptions.LongRunning);

        var afterKill = Site.Snapshot(b);
        var finalNames = afterKill.Keys.Where(k => !k.EndsWith(".ferry.part", StringComparison.Ordinal)).ToList();
        Assert.True(finalNames.Count < files.Count, $"the kill came too late to test anything: {finalNames.Count} files were already done");
        foreach (var name in finalNames) Assert.Equal(expected[name], afterKill[name]);

        await server.StartProcessAsync();
        using var api2 = new RawApi(server);
        var rule = await Site.WaitForRuleAsync(api2, id, "OK", TimeSpan.FromSeconds(90));
        Assert.Equal(48, rule.GetProperty("locks_ok_cnt").GetInt32());
        var final = Site.Snapshot(b);
        Assert.Equal(expected.OrderBy(x => x.Key), final.OrderBy(x => x.Key));
    }
}
