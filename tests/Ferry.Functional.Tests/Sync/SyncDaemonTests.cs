using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Sync;

using Cli = Ferry.Functional.Tests.Infrastructure.Cli;

/// <summary>
/// `ferry sync run` as a daemon between two real servers: it syncs what its config names, waits for an entry's run
/// window, keeps the last good config when an edit breaks it, picks up a good edit, retries a failing unit every cycle
/// while the others go on, writes its figures for Prometheus, and stops cleanly on SIGTERM.
/// </summary>
[Collection(SyncSourceCollection.Name)]
public sealed class SyncDaemonTests(SyncSourceFixture source)
{
    private static Dictionary<string, string> Env(FerryServer target) => new()
    {
        ["FERRY_URL"] = target.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword,
        ["FERRY_SOURCE_PASSWORD"] = FerryServer.RootPassword,
    };

    /// <summary>Replicas on the target's RSE; -1 while the daemon has not made the RSE yet.</summary>
    private static async Task<int> SyncedAsync(RawApi api, string rse)
    {
        using (var exists = await api.SendAsync("GET", $"/rses/{rse}"))
            if (!exists.IsSuccessStatusCode) return -1;
        return (await SyncSourceFixture.ReplicasAsync(api, rse)).Count;
    }

    private string Yaml(string replicas, int interval = 1) => $"""
        # the old catalogue, every second
        source: {source.Server.Url}
        interval_seconds: {interval}
        parallelism: 2
        rses: {"{"}select: '^SYNC-[ABC]$'{"}"}
        accounts: {"{"}select: '^SYNC-'{"}"}
        replicas:
        {replicas}
        """;

    [Fact]
    public async Task The_daemon_syncs_in_window_keeps_the_last_good_config_and_retries_a_failing_rse()
    {
        await using var target = await FerryServer.StartAsync();
        using var api = new RawApi(target);
        var dir = TempDirs.Create("sync-daemon");
        var config = Path.Combine(dir, "sync.yaml");
        var metrics = Path.Combine(dir, "sync.prom");
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(config, Yaml($"""
              - rse: SYNC-A
              - {"{"}rse: SYNC-B, since: '{tomorrow}'{"}"}
              - rse: NOT-AN-RSE
            """));

        var log = new StringBuilder();
        using var p = ChildProcess.Start(Cli.StartInfo(["sync", "run", "--config", config, "--metrics-file", metrics], target.Home, Env(target)), log);
        int Count(string s) { lock (log) return log.ToString().Split('\n').Count(l => l.Contains(s)); }
        try
        {
            await Site.WaitUntilAsync(async () => await SyncedAsync(api, "SYNC-A") == 21, TimeSpan.FromSeconds(60), "SYNC-A synced");
            Assert.Equal(await SyncSourceFixture.ReplicasAsync(source.Api, "SYNC-A"), await SyncSourceFixture.ReplicasAsync(api, "SYNC-A"));
            // The RSE the target does not have fails alone, every cycle, and the others go on.
            await Site.WaitUntilAsync(() => Task.FromResult(Count("phase=replicas rse=NOT-AN-RSE status=failed") >= 2 && Count("phase=replicas rse=SYNC-A status=ok") >= 2),
                TimeSpan.FromSeconds(30), "two cycles with the failing RSE retried");
            Assert.Contains("retry=next-cycle", log.ToString());
            // SYNC-B's window opens tomorrow: it exists on the target (the rses step) but has no replicas yet.
            Assert.Equal(1, Count("phase=replicas rse=SYNC-B status=waiting"));
            Assert.Empty(await SyncSourceFixture.ReplicasAsync(api, "SYNC-B"));

            // A broken edit: refused once, and the daemon goes on with the last good config.
            await File.WriteAllTextAsync(config, "source: [unclosed\nreplicas: {");
            await Site.WaitUntilAsync(() => Task.FromResult(Count("phase=config rse=- status=rejected") == 1), TimeSpan.FromSeconds(30), "the bad edit refused");
            var cyclesAfterBadEdit = Count("phase=cycle");
            await Site.WaitUntilAsync(() => Task.FromResult(Count("phase=cycle") >= cyclesAfterBadEdit + 2), TimeSpan.FromSeconds(30), "cycles after the bad edit");
            Assert.Equal(1, Count("status=rejected"));
            Assert.Contains("keeping=\"the last good config\"", log.ToString());
            Assert.False(p.HasExited);

            // An edit with an unknown key is refused the same way, naming the key.
            await File.WriteAllTextAsync(config, Yaml("  - {rse: SYNC-A, alow_clean: true}"));
            await Site.WaitUntilAsync(() => Task.FromResult(Count("status=rejected") == 2), TimeSpan.FromSeconds(30), "the misspelt key refused");
            Assert.Contains("unknown key 'alow_clean'", log.ToString());

            // A good edit is picked up: SYNC-C gets synced.
            await File.WriteAllTextAsync(config, Yaml("  - rse: SYNC-A\n  - rse: SYNC-C"));
            var sourceC = (await SyncSourceFixture.ReplicasAsync(source.Api, "SYNC-C")).Count;
            await Site.WaitUntilAsync(async () => await SyncedAsync(api, "SYNC-C") == sourceC, TimeSpan.FromSeconds(60), "SYNC-C synced after the edit");
            Assert.Equal(await SyncSourceFixture.ReplicasAsync(source.Api, "SYNC-C"), await SyncSourceFixture.ReplicasAsync(api, "SYNC-C"));
            Assert.Equal(1, Count("phase=config rse=- status=reloaded"));

            var prom = await File.ReadAllTextAsync(metrics);
            Assert.Contains("# TYPE ferry_sync_phase_duration_seconds gauge", prom);
            Assert.Matches("""ferry_sync_phase_duration_seconds\{phase="replicas",rse="SYNC-A"\} [0-9.]+""", prom);
            Assert.Matches("""ferry_sync_phase_failures_total\{phase="replicas",rse="NOT-AN-RSE"\} [2-9]""", prom);
            Assert.Contains("ferry_sync_config_rejected_total 2", prom);
            Assert.Contains("ferry_sync_replica_diff_files{rse=\"SYNC-A\",kind=\"missing\"} 0", prom);

            Process.Start("kill", ["-TERM", p.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await p.WaitForExitAsync(cts.Token);
            Assert.Equal(0, p.ExitCode);
            Assert.Contains("phase=daemon rse=- status=stop", log.ToString());
        }
        catch (Exception e) when (!e.Message.Contains("daemon log:"))
        {
            string text;
            lock (log) text = log.ToString();
            throw new Xunit.Sdk.XunitException($"{e.Message}\ndaemon log:\n{text[Math.Max(0, text.Length - 6000)..]}");
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }

    [Theory]
    [InlineData("replicas:\n  - rse: SYNC-A\n", "'source' is required")]
    [InlineData("source: http://127.0.0.1:1\nreplicas:\n  - {rse: SYNC-A, for: 7x}\n", "Cannot read duration '7x'")]
    [InlineData("source: http://127.0.0.1:1\nreplicas:\n  - {rse: SYNC-A, since: '2026-12-10T00:00:00Z', until: '2026-12-01T00:00:00Z'}\n", "'until' must be after 'since'")]
    [InlineData("source: http://127.0.0.1:1\nintervall_seconds: 5\nreplicas: [{rse: SYNC-A}]\n", "unknown key 'intervall_seconds'")]
    [InlineData("source: http://127.0.0.1:1\nreplicas: [{rse: A}, {rse: A}]\n", "RSE A appears 2 times")]
    [InlineData("source: [", "is not valid YAML")]
    public async Task A_bad_first_config_is_a_usage_error_and_nothing_runs(string yaml, string message)
    {
        await using var target = await FerryServer.StartAsync();
        var config = Path.Combine(TempDirs.Create("sync-bad"), "sync.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var r = await Cli.RunAsync(["sync", "run", "--config", config, "--once"], target.Home, Env(target));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.DoesNotContain("status=", r.Stderr);
    }

    [Fact]
    public async Task Once_runs_one_cycle_and_a_source_that_lost_everything_is_refused_by_the_guard()
    {
        await using var target = await FerryServer.StartAsync();
        using var api = new RawApi(target);
        var dir = TempDirs.Create("sync-once");
        var config = Path.Combine(dir, "sync.yaml");
        await File.WriteAllTextAsync(config, Yaml("  - rse: SYNC-B"));
        var first = await Cli.RunAsync(["sync", "run", "--config", config, "--once"], target.Home, Env(target));
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(21, (await SyncSourceFixture.ReplicasAsync(api, "SYNC-B")).Count);

        // The same RSE from an empty dump: the daemon's unit fails with the guard, nothing is removed.
        var dump = Path.Combine(dir, "empty.jsonl");
        await File.WriteAllTextAsync(dump, "# an empty dump\n");
        await File.WriteAllTextAsync(config, $"source: {dump}\nreplicas:\n  - rse: SYNC-B\n");
        var guarded = await Cli.RunAsync(["sync", "run", "--config", config, "--once"], target.Home, Env(target));
        Assert.Equal(1, guarded.ExitCode);
        Assert.Contains("phase=replicas rse=SYNC-B status=failed", guarded.Stderr);
        Assert.Contains("Nothing was changed", guarded.Stderr);
        Assert.Equal(21, (await SyncSourceFixture.ReplicasAsync(api, "SYNC-B")).Count);
    }
}
