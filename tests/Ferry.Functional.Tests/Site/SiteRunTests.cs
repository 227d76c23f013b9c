using System.Diagnostics;
using System.Text;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.SitePolicies;

using Cli = Ferry.Functional.Tests.Infrastructure.Cli;

/// <summary>`ferry site run` against a real server: a failing task does not stop the others; --once; SIGTERM; bad configs.</summary>
public sealed class SiteRunTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private string Config(string json)
    {
        var path = Path.Combine(TempDirs.Create("site"), "site.json");
        File.WriteAllText(path, json);
        return path;
    }

    private Dictionary<string, string> Env => new() { ["FERRY_URL"] = f.Server.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword };

    [Fact]
    public async Task Once_runs_every_task_and_exits_0_when_all_succeed_1_when_one_failed()
    {
        var good = Config("""{"tasks":{"subscriptions":{},"stalled-transfers":{"alert_after_seconds":600,"reset_after_seconds":3600}}}""");
        var ok = await Cli.RunAsync(f.Server, "site", "run", "--config", good, "--once");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("task=subscriptions status=ok", ok.Stderr);
        Assert.Contains("task=stalled-transfers status=ok", ok.Stderr);

        // Retention on an RSE without a policy throws (404) every time; the subscriptions task after it still runs.
        var bad = Config("""{"tasks":{"retention":{"rses":["NO-SUCH-RSE"]},"subscriptions":{}}}""");
        var r = await Cli.RunAsync(f.Server, "site", "run", "--config", bad, "--once");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("task=retention status=failed", r.Stderr);
        Assert.Contains("task=subscriptions status=ok", r.Stderr);

        var only = await Cli.RunAsync(f.Server, "site", "run", "--config", bad, "--once", "--only", "subscriptions");
        Assert.True(only.ExitCode == 0, only.Stderr);
        Assert.DoesNotContain("task=retention", only.Stderr);
    }

    [Theory]
    [InlineData("""{"tasks":{"subscriptions":{},"purge-all":{}}}""", "unknown task 'purge-all'")]
    [InlineData("""{"tasks":{"subscriptions":{"interval":5}}}""", "unknown setting 'interval'")]
    [InlineData("""{"tasks":{"retention":{}}}""", "'rses' must be a non-empty list")]
    [InlineData("""{"tasks":{}""", "is not valid JSON")]
    public async Task Bad_configs_are_refused_before_anything_runs(string json, string message)
    {
        var r = await Cli.RunAsync(f.Server, "site", "run", "--config", Config(json), "--once");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.DoesNotContain("status=", r.Stderr);
    }

    [Fact]
    public async Task The_daemon_keeps_running_its_other_tasks_while_one_throws_and_stops_on_SIGTERM()
    {
        var config = Config("""{"tasks":{"retention":{"rses":["NO-SUCH-RSE"],"interval_seconds":0.3},"subscriptions":{"interval_seconds":0.3}}}""");
        var log = new StringBuilder();
        using var p = ChildProcess.Start(Cli.StartInfo(["site", "run", "--config", config], f.Server.Home, Env), log);
        int Count(string s) { lock (log) return log.ToString().Split('\n').Count(l => l.Contains(s)); }
        await Site.WaitUntilAsync(() => Task.FromResult(Count("task=subscriptions status=ok") >= 3 && Count("task=retention status=failed") >= 3),
            TimeSpan.FromSeconds(30), "three rounds of each task");
        Assert.False(p.HasExited);
        Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await p.WaitForExitAsync(cts.Token);
        Assert.Equal(0, p.ExitCode);
        Assert.Contains("task=site status=stop", log.ToString());
    }
}

/// <summary>The consistency check as a periodic site task, configured in YAML: it reports, and deletes only with fix: true.</summary>
public sealed class SiteConsistencyTaskTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_yaml_site_config_runs_the_consistency_check_and_fixes_only_when_told()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "SITE-CHK");
        var dark = Path.Combine(prefix, "user/root/0a/0b/nobody-registered.dat");
        Directory.CreateDirectory(Path.GetDirectoryName(dark)!);
        await File.WriteAllBytesAsync(dark, new byte[100]);
        File.SetLastWriteTimeUtc(dark, DateTime.UtcNow.AddDays(-3));

        var dir = TempDirs.Create("site-yaml");
        var config = Path.Combine(dir, "site.yaml");
        await File.WriteAllTextAsync(config, "tasks:\n  consistency:\n    rses: [SITE-CHK]\n    grace_seconds: 3600\n");
        var report = await Cli.RunAsync(f.Server, "site", "run", "--config", config, "--once");
        Assert.True(report.ExitCode == 0, report.Stderr);
        Assert.Contains("task=consistency status=ok", report.Stderr);
        Assert.Contains("SITE-CHK: 1 dark, 0 lost, 0 corrupt", report.Stderr);
        Assert.True(File.Exists(dark), "without fix: true nothing is deleted");

        await File.WriteAllTextAsync(config, "tasks:\n  consistency: {rses: [SITE-CHK], grace_seconds: 3600, fix: true}\n");
        var fixedRun = await Cli.RunAsync(f.Server, "site", "run", "--config", config, "--once");
        Assert.True(fixedRun.ExitCode == 0, fixedRun.Stderr);
        Assert.Contains("fixed: 1 deleted", fixedRun.Stderr);
        Assert.False(File.Exists(dark));

        await File.WriteAllTextAsync(config, "tasks:\n  consistency: {rses: [SITE-CHK], fix: yes-please}\n");
        var bad = await Cli.RunAsync(f.Server, "site", "run", "--config", config, "--once");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("'fix' must be true or false", bad.Stderr);
    }
}
