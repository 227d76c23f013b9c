using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Tasks;

/// <summary>SIGKILL of the server while jobs run: after the restart every job has run exactly once and the task completes.</summary>
public sealed class TaskCrashTests
{
    [Fact]
    public async Task Sigkill_during_a_running_task_then_restart_runs_no_job_twice()
    {
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_TASK_SLOTS"] = "3" });
        using var api = new RawApi(server);
        var (files, _) = await TaskData.InputAsync(api, "CRASH-IN", "crash_in", 12);
        await Site.AddPosixRseAsync(api, "CRASH-OUT");
        var ledger = Path.Combine(TempDirs.Create("ledger"), "runs");
        // Each run appends its job number when it starts, so a second run of any job would show.
        var id = await TaskData.SubmitAsync(api, new
        {
            input = "user.root:crash_in", files_per_job = 2, output_scope = "user.root", output_dataset = "crash_out", output_rse = "CRASH-OUT",
            command = $"echo {{job}} >> {ledger}; sleep 2; cat {{inputs}} > {{output}}/merged",
        });
        await Site.WaitUntilAsync(async () => File.Exists(ledger) && (await File.ReadAllLinesAsync(ledger)).Length >= 3, TimeSpan.FromSeconds(30), "three jobs running");
        server.KillServerOnly();
        var runningAtKill = (await File.ReadAllLinesAsync(ledger)).Length;

        await server.StartProcessAsync();
        using var api2 = new RawApi(server);
        var task = await TaskData.WaitForStatusAsync(api2, id, TimeSpan.FromSeconds(90), "done", "finished", "failed");
        Assert.Equal("done", TaskData.Status(task));
        var runs = (await File.ReadAllLinesAsync(ledger)).Select(int.Parse).ToList();
        Assert.Equal(Enumerable.Range(1, 6), runs.Order());
        Assert.True(runningAtKill < 6, $"the kill came after all jobs had started ({runningAtKill})");
        // The jobs that were running at the kill were adopted, not started again: one attempt each.
        var attempts = await api2.StreamAsync("GET", $"/ferry/tasks/{id}/attempts");
        Assert.Equal(6, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(1, a.GetProperty("attempt").GetInt32()));
        foreach (var job in Enumerable.Range(1, 6))
        {
            var meta = await api2.JsonAsync("GET", $"/dids/user.root/crash_out._{job:D5}.merged/meta");
            Assert.Equal(TaskData.Concatenated(files.Skip((job - 1) * 2).Take(2)), meta.GetProperty("adler32").GetString());
        }
    }
}
