using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Tasks;

/// <summary>The same 50-file task on a real single-node Slurm: throttled queue, a failing job retried, a lost job run again.</summary>
public sealed class SlurmTaskTests
{
    [SlurmFact]
    public async Task Fifty_files_on_slurm_throttled_with_a_failure_retried_and_a_job_cancelled_outside_ferry_run_again()
    {
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string>
        {
            ["FERRY_SLURM_CONF"] = SlurmCluster.Conf, ["FERRY_SLURM_MAX_QUEUED"] = "3", ["FERRY_TASK_RETRY_SECONDS"] = "0",
        });
        using var api = new RawApi(server);
        var (files, _) = await TaskData.InputAsync(api, "SLURM-IN", "slurm_in", 50);
        await Site.AddPosixRseAsync(api, "SLURM-OUT");
        var work = TempDirs.Create("slurm-work");
        var ledger = Path.Combine(work, "runs");
        var mark = Path.Combine(work, "job5-first-attempt");
        // Each run logs start and end; job 3 always fails; job 5's first attempt hangs until cancelled behind Ferry's back.
        var id = await TaskData.SubmitAsync(api, new
        {
            input = "user.root:slurm_in", files_per_job = 5, output_scope = "user.root", output_dataset = "slurm_out", output_rse = "SLURM-OUT",
            executor = "slurm", max_attempts = 2,
            command = $"echo start {{job}} $(date +%s%N) >> {ledger}; if [ {{job}} = 3 ]; then echo 'job 3 fails on slurm' >&2; exit 5; fi; "
                + $"if [ {{job}} = 5 ] && [ ! -e {mark} ]; then touch {mark}; sleep 60; fi; cat {{inputs}} > {{output}}/merged; echo end {{job}} $(date +%s%N) >> {ledger}",
        });
        await Site.WaitUntilAsync(() => Task.FromResult(File.Exists(mark)), TimeSpan.FromSeconds(60), "job 5's first attempt to start");
        var queue = await SlurmCluster.RunAsync("squeue", "-h", "-o", "%i %j");
        var lost = queue.Split('\n').Single(l => l.EndsWith($"-{id}-5-1", StringComparison.Ordinal)).Split(' ')[0];
        await SlurmCluster.RunAsync("scancel", lost);

        var task = await TaskData.WaitForStatusAsync(api, id, TimeSpan.FromSeconds(120), "finished", "done", "failed");
        Assert.Equal("finished", TaskData.Status(task));
        Assert.Equal(9, task.GetProperty("jobs_by_status").GetProperty("finished").GetInt32());
        foreach (var job in Enumerable.Range(1, 10).Where(j => j != 3))
        {
            var meta = await api.JsonAsync("GET", $"/dids/user.root/slurm_out._{job:D5}.merged/meta");
            Assert.Equal(TaskData.Concatenated(files.Skip((job - 1) * 5).Take(5)), meta.GetProperty("adler32").GetString());
        }
        await TaskData.WaitForRuleLocksAsync(api, task.GetProperty("rule_id").GetString()!, 9);

        var attempts = await api.StreamAsync("GET", $"/ferry/tasks/{id}/attempts");
        var job5 = attempts.Where(a => a.GetProperty("job").GetInt32() == 5).ToList();
        Assert.Equal(["failed", "finished"], job5.Select(a => a.GetProperty("status").GetString()));
        // scancel sends SIGTERM: either the job's wrapper records exit 143 before it dies, or Slurm reports it CANCELLED
        // with no exit code, depending on which wins on a loaded machine. Both are the outside cancel, and both retry.
        var cancelled = job5[0].GetProperty("error").GetString()!;
        Assert.True(cancelled.Contains($"Slurm job {lost} ended CANCELLED", StringComparison.Ordinal) || cancelled.Contains("exited with 143", StringComparison.Ordinal), cancelled);
        Assert.Equal(2, attempts.Count(a => a.GetProperty("job").GetInt32() == 3));
        using (var log = await api.SendAsync("GET", $"/ferry/tasks/{id}/jobs/3/attempts/2/stderr"))
            Assert.Equal("job 3 fails on slurm\n", await log.Content.ReadAsStringAsync());
        // Never more than the throttle's 3 jobs at once, and never two runs of the same attempt.
        var events = (await File.ReadAllLinesAsync(ledger)).Select(l => l.Split(' ')).Select(p => (Kind: p[0], Job: int.Parse(p[1]), At: long.Parse(p[2]))).ToList();
        var open = 0;
        var peak = 0;
        foreach (var e in events.Where(e => e.Job is not 3 and not 5).OrderBy(e => e.At)) peak = Math.Max(peak, open += e.Kind == "start" ? 1 : -1);
        Assert.InRange(peak, 1, 3);
        Assert.Equal(12, events.Count(e => e.Kind == "start"));
    }
}
