using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Tasks;

/// <summary>Pause, unpause, kill and retry with new parameters, by id and by bulk selection, with JEDI's preconditions.</summary>
public sealed class TaskActionTests
{
    private static object Slow(string dataset, string output, int seconds = 1) => new
    {
        input = $"user.root:{dataset}", files_per_job = 1, output_scope = "user.root", output_dataset = output, output_rse = "ACT-OUT", name = output,
        command = $"sleep {seconds}; cat {{input}} > {{output}}/copy",
    };

    [Fact]
    public async Task Bulk_pause_unpause_kill_and_retry_with_new_args_are_dry_runs_until_submitted_and_refused_where_JEDI_refuses()
    {
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_TASK_RETRY_SECONDS"] = "0", ["FERRY_TASK_SLOTS"] = "2" });
        using var api = new RawApi(server);
        await TaskData.InputAsync(api, "ACT-IN", "act_in", 8);
        await Site.AddPosixRseAsync(api, "ACT-OUT");
        var a = await TaskData.SubmitAsync(api, Slow("act_in", "act.alpha"));
        var b = await TaskData.SubmitAsync(api, Slow("act_in", "act.beta"));
        await TaskData.WaitForStatusAsync(api, a, TimeSpan.FromSeconds(30), "running");
        // Beta's jobs must exist before the pause, or its kill below has nothing to cancel (a slow machine splits it late).
        await Site.WaitUntilAsync(async () => (await api.JsonAsync("GET", $"/ferry/tasks/{b}")).GetProperty("jobs_by_status").EnumerateObject().Sum(p => p.Value.GetInt32()) == 8,
            TimeSpan.FromSeconds(30), "beta to be split into its 8 jobs");

        // A dry run answers for each selected task and changes nothing.
        var dry = await TaskData.BulkAsync(api, "pause", new { pattern = @"act\..*" }, submit: false);
        Assert.True(dry.GetProperty("dry_run").GetBoolean());
        Assert.Equal(2, dry.GetProperty("answers").GetArrayLength());
        Assert.All(dry.GetProperty("answers").EnumerateArray(), x => Assert.Equal(0, x.GetProperty("code").GetInt32()));
        Assert.NotEqual("paused", TaskData.Status(await api.JsonAsync("GET", $"/ferry/tasks/{a}")));
        // The pattern must match the whole name.
        Assert.Equal(0, (await TaskData.BulkAsync(api, "pause", new { pattern = "act" }, submit: false)).GetProperty("answers").GetArrayLength());

        var paused = await TaskData.BulkAsync(api, "pause", new { pattern = @"act\..*" }, submit: true);
        Assert.All(paused.GetProperty("answers").EnumerateArray(), x => Assert.Equal("paused", x.GetProperty("to").GetString()));
        // Paused: running jobs end, no new ones start.
        await Task.Delay(2500);
        var heldA = await api.JsonAsync("GET", $"/ferry/tasks/{a}");
        Assert.Equal("paused", TaskData.Status(heldA));
        Assert.Equal(0, heldA.GetProperty("jobs_by_status").GetProperty("running").GetInt32());
        var finishedWhilePaused = heldA.GetProperty("jobs_by_status").GetProperty("finished").GetInt32();
        await Task.Delay(1500);
        Assert.Equal(finishedWhilePaused, (await api.JsonAsync("GET", $"/ferry/tasks/{a}")).GetProperty("jobs_by_status").GetProperty("finished").GetInt32());

        // Pause is refused from paused; retry is refused from paused: wrong status (code 4), with a message.
        var again = await TaskData.BulkAsync(api, "pause", new { status = new[] { "paused" } }, submit: true);
        Assert.All(again.GetProperty("answers").EnumerateArray(), x =>
        {
            Assert.Equal(4, x.GetProperty("code").GetInt32());
            Assert.Equal("wrong status", x.GetProperty("status").GetString());
        });
        var wrong = await TaskData.ActAsync(api, a, "retry", expect: 409);
        Assert.Equal("WrongTaskStatus", wrong.GetProperty("ExceptionClass").GetString());
        Assert.Contains("needs finished, failed, aborted or exhausted", wrong.GetProperty("ExceptionMessage").GetString());

        // Kill beta, unpause alpha.
        await TaskData.BulkAsync(api, "kill", new { pattern = @"act\.beta" }, submit: true);
        Assert.Equal("aborted", TaskData.Status(await api.JsonAsync("GET", $"/ferry/tasks/{b}")));
        await TaskData.ActAsync(api, a, "unpause");
        var doneA = await TaskData.WaitForStatusAsync(api, a, TimeSpan.FromSeconds(60), "done");
        Assert.Equal(8, doneA.GetProperty("output_files").GetInt64());
        var killedB = await api.JsonAsync("GET", $"/ferry/tasks/{b}");
        Assert.True(killedB.GetProperty("jobs_by_status").GetProperty("cancelled").GetInt32() > 0);
        Assert.Equal($"Task {b} is aborted: kill is refused once a task has ended", (await TaskData.ActAsync(api, b, "kill", expect: 409)).GetProperty("ExceptionMessage").GetString());

        // Retry with a parameter outside the whitelist: 400 with the allowed keys, nothing changes.
        using (var bad = await api.SendAsync("POST", "/ferry/tasks/bulk/retry", """{"selection":{"status":["aborted"]},"submit":true,"params":{"memory":4}}"""))
            Assert.Contains("allowed: nFiles, nEvents, cliParams, ramCount, priority, site, excludedSite, includedSite", await RawApi.AssertError(bad, 400, "InvalidObject"));
        Assert.Equal("aborted", TaskData.Status(await api.JsonAsync("GET", $"/ferry/tasks/{b}")));

        // Retry the aborted task with new arguments: its cancelled jobs' files are cut into jobs of 4, with a new command.
        var retried = await TaskData.BulkAsync(api, "retry", new { status = new[] { "aborted" }, io_mismatch = true }, submit: true,
            parameters: new { nFiles = 4, cliParams = "cat {inputs} > {output}/merged" });
        Assert.Equal(b, retried.GetProperty("answers")[0].GetProperty("task_id").GetInt64());
        var doneB = await TaskData.WaitForStatusAsync(api, b, TimeSpan.FromSeconds(60), "done", "finished");
        Assert.Equal("done", TaskData.Status(doneB));
        Assert.Equal(4, doneB.GetProperty("files_per_job").GetInt32());
        Assert.Equal("cat {inputs} > {output}/merged", doneB.GetProperty("command").GetString());
        Assert.Equal(4, doneB.GetProperty("params").GetProperty("nFiles").GetInt32());
        Assert.Contains(doneB.GetProperty("outputs").EnumerateArray(), o => o.GetProperty("name").GetString()!.EndsWith(".merged", StringComparison.Ordinal));

        // Done is final: retry and pause refused.
        await TaskData.ActAsync(api, a, "retry", expect: 409);
        await TaskData.ActAsync(api, a, "pause", expect: 409);
        using (var missing = await api.SendAsync("POST", "/ferry/tasks/9999/kill")) await RawApi.AssertError(missing, 404, "TaskNotFound");
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_acts_and_a_soft_finish_lets_running_jobs_end()
    {
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_TASK_SLOTS"] = "1" });
        using var api = new RawApi(server);
        await TaskData.InputAsync(api, "OWN-IN", "own_in", 4);
        await Site.AddPosixRseAsync(api, "ACT-OUT");
        var id = await TaskData.SubmitAsync(api, Slow("own_in", "own.task", seconds: 2));
        await TaskData.WaitForStatusAsync(api, id, TimeSpan.FromSeconds(30), "running");

        await api.SendAsync("POST", "/accounts/mallory", """{"type":"USER","email":"m@example.org"}""");
        await api.SendAsync("POST", "/accounts/mallory/identities", """{"identity":"mallory","authtype":"USERPASS","password":"mallory-pw","email":"m@example.org"}""");
        var token = await api.TokenAsync("mallory", "mallory-pw");
        using (var denied = await api.SendAsync("POST", $"/ferry/tasks/{id}/kill", token: token))
            Assert.Contains("only its owner root or an admin can", await RawApi.AssertError(denied, 401, "AccessDenied"));
        using (var logs = await api.SendAsync("GET", $"/ferry/tasks/{id}/attempts", token: token)) await RawApi.AssertError(logs, 401, "AccessDenied");
        Assert.Equal("running", TaskData.Status(await api.JsonAsync("GET", $"/ferry/tasks/{id}")));

        var answer = await TaskData.ActAsync(api, id, "finish", new { soft = true });
        Assert.Equal("finishing", answer.GetProperty("to").GetString());
        var task = await TaskData.WaitForStatusAsync(api, id, TimeSpan.FromSeconds(30), "finished", "done", "failed");
        // The job that was running when finish came ended normally; the others were never started.
        Assert.Equal("finished", TaskData.Status(task));
        Assert.Equal(1, task.GetProperty("jobs_by_status").GetProperty("finished").GetInt32());
        Assert.Equal(3, task.GetProperty("jobs_by_status").GetProperty("cancelled").GetInt32());
        var attempts = await api.StreamAsync("GET", $"/ferry/tasks/{id}/attempts");
        Assert.Single(attempts);
    }
}
