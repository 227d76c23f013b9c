using System.Diagnostics;
using System.Text;
using Ferry.Functional.Tests.Infrastructure;
using Ferry.Functional.Tests.Tasks;

namespace Ferry.Functional.Tests.SitePolicies;

using Cli = Ferry.Functional.Tests.Infrastructure.Cli;

/// <summary>
/// The site daemon's processing hook with the local executor: one task per matching dataset once it is complete on
/// the site's RSE, never a second one for the same dataset (across rounds, reruns and restarts).
/// </summary>
public sealed class ProcessingHookTests
{
    private const string Yaml = """
        tasks:
          processing:
            interval_seconds: 0.5
            filter: {scope: user.root, name: 'proc_run\d+', rse: PROC-DISK}
            task:
              command: "wc -c {inputs} > {output}/sizes.txt"
              files_per_job: 2
              output_scope: user.root
              output_dataset: "{dataset}_out"
              output_rse: PROC-OUT
              max_attempts: 1
        """;

    [Fact]
    public async Task One_task_per_dataset_complete_on_the_site_and_never_a_second_one()
    {
        await using var server = await FerryServer.StartAsync(environment: TaskData.FastRetries);
        using var api = new RawApi(server);
        var disk = await Site.AddPosixRseAsync(api, "PROC-DISK");
        var far = await Site.AddPosixRseAsync(api, "PROC-FAR");
        await Site.AddPosixRseAsync(api, "PROC-OUT");
        await Site.UploadAsync(api, "PROC-DISK", disk, "proc_run1", Site.MakeFiles("user.root", "proc_run1", 3, _ => 700));
        await Site.UploadAsync(api, "PROC-FAR", far, "proc_run2", Site.MakeFiles("user.root", "proc_run2", 2, _ => 700));
        await Site.UploadAsync(api, "PROC-DISK", disk, "other_run3", Site.MakeFiles("user.root", "other_run3", 2, _ => 700));
        var config = Path.Combine(TempDirs.Create("site-proc"), "site.yaml");
        await File.WriteAllTextAsync(config, Yaml);

        var first = await Cli.RunAsync(server, "site", "run", "--config", config, "--once");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Matches(@"task=processing status=ok ms=\d+ 1 submitted \(user\.root:proc_run1->task \d+\), 0 already had a task, 1 not complete on PROC-DISK", first.Stderr);
        var tasks = await api.StreamAsync("GET", "/ferry/tasks");
        var run1 = Assert.Single(tasks);
        Assert.Equal("user.root:proc_run1", run1.GetProperty("input").GetString());
        Assert.Equal("proc_run1_out", run1.GetProperty("output_dataset").GetString());
        await TaskData.WaitForStatusAsync(api, run1.GetProperty("task_id").GetInt64(), TimeSpan.FromSeconds(90), "done");

        var again = await Cli.RunAsync(server, "site", "run", "--config", config, "--once");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("0 submitted, 1 already had a task, 1 not complete on PROC-DISK", again.Stderr);

        // The daemon running: run 2 becomes complete on the site (a rule copies it there) and is submitted once.
        var log = new StringBuilder();
        var env = new Dictionary<string, string> { ["FERRY_URL"] = server.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword };
        using (var p = ChildProcess.Start(Cli.StartInfo(["site", "run", "--config", config], server.Home, env), log))
        {
            await Site.WaitForRuleAsync(api, await Site.AddRuleAsync(api, "user.root", "proc_run2", "PROC-DISK"), "OK", TimeSpan.FromSeconds(60));
            string Log() { lock (log) return log.ToString(); }
            await Site.WaitUntilAsync(() => Task.FromResult(Log().Contains("submitted (user.root:proc_run2->task", StringComparison.Ordinal)), TimeSpan.FromSeconds(30),
                "the daemon to submit run 2");
            await Site.WaitUntilAsync(() => Task.FromResult(Log().Split('\n').Count(l => l.Contains("0 submitted, 2 already had a task", StringComparison.Ordinal)) >= 2),
                TimeSpan.FromSeconds(30), "two more rounds that submit nothing");
            Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await p.WaitForExitAsync(cts.Token);
        }
        // A restart remembers through the server's task list.
        var restart = await Cli.RunAsync(server, "site", "run", "--config", config, "--once");
        Assert.True(restart.ExitCode == 0, restart.Stderr);
        Assert.Contains("0 submitted, 2 already had a task, 0 not complete on PROC-DISK", restart.Stderr);
        tasks = await api.StreamAsync("GET", "/ferry/tasks");
        Assert.Equal(["user.root:proc_run1", "user.root:proc_run2"], tasks.Select(t => t.GetProperty("input").GetString()).Order(StringComparer.Ordinal));
        var run2 = tasks.Single(t => t.GetProperty("input").GetString() == "user.root:proc_run2").GetProperty("task_id").GetInt64();
        await TaskData.WaitForStatusAsync(api, run2, TimeSpan.FromSeconds(90), "done");
    }

    [Theory]
    [InlineData("task:\n      input: user.root:x\n      command: c\n      output_scope: user.root\n      output_dataset: o\n      output_rse: R", "must not set 'input'")]
    [InlineData("task:\n      command: c\n      output_scope: user.root\n      output_rse: R", "the template needs 'output_dataset'")]
    public async Task A_bad_processing_template_is_refused_before_anything_runs(string task, string message)
    {
        await using var server = await FerryServer.StartAsync();
        var config = Path.Combine(TempDirs.Create("site-proc-bad"), "site.yaml");
        await File.WriteAllTextAsync(config, $"tasks:\n  processing:\n    filter: {{scope: user.root, name: 'a(', rse: R}}\n    {task}\n");
        var badRegex = await Cli.RunAsync(server, "site", "run", "--config", config, "--once");
        Assert.Equal(2, badRegex.ExitCode);
        Assert.Contains("filter 'name' is not a valid regular expression", badRegex.Stderr);
        await File.WriteAllTextAsync(config, $"tasks:\n  processing:\n    filter: {{scope: user.root, name: 'a.*', rse: R}}\n    {task}\n");
        var r = await Cli.RunAsync(server, "site", "run", "--config", config, "--once");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.DoesNotContain("status=", r.Stderr);
    }
}
