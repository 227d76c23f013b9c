using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Tasks;

/// <summary>A task over a 50-file dataset on the local executor, end to end, with one job made to fail.</summary>
public sealed class LocalTaskTests
{
    [Fact]
    public async Task Fifty_files_five_per_job_outputs_registered_attached_and_replicated_and_the_failure_retried_then_logged()
    {
        await using var server = await FerryServer.StartAsync(environment: TaskData.FastRetries);
        using var api = new RawApi(server);
        var (files, inputPrefix) = await TaskData.InputAsync(api, "TASK-IN", "local_in", 50);
        var outPrefix = await Site.AddPosixRseAsync(api, "TASK-OUT");
        // Job 3 always fails; every job records where it read its first input.
        var id = await TaskData.SubmitAsync(api, new
        {
            input = "user.root:local_in", files_per_job = 5, output_scope = "user.root", output_dataset = "local_out", output_rse = "TASK-OUT", max_attempts = 2,
            command = "if [ {job} = 3 ]; then echo 'job 3 refuses to run' >&2; exit 7; fi; echo reading {input}; cat {inputs} > {output}/merged.dat",
        });
        var task = await TaskData.WaitForStatusAsync(api, id, TimeSpan.FromSeconds(90), "finished", "done", "failed");
        Assert.Equal("finished", TaskData.Status(task));
        Assert.Equal(10, task.GetProperty("jobs").GetInt32());
        Assert.Equal(9, task.GetProperty("jobs_by_status").GetProperty("finished").GetInt32());
        Assert.Equal(1, task.GetProperty("jobs_by_status").GetProperty("failed").GetInt32());
        Assert.Equal(90, task.GetProperty("completion").GetDouble());

        // Every output: the right adler32 (of the five inputs it merged), registered, on the RSE, attached, locked by the rule.
        var content = await api.StreamAsync("GET", "/dids/user.root/local_out/dids");
        Assert.Equal(9, content.Count);
        foreach (var job in Enumerable.Range(1, 10).Where(j => j != 3))
        {
            var name = $"local_out._{job:D5}.merged.dat";
            var expected = TaskData.Concatenated(files.Skip((job - 1) * 5).Take(5));
            var meta = await api.JsonAsync("GET", $"/dids/user.root/{name}/meta");
            Assert.Equal(expected, meta.GetProperty("adler32").GetString());
            var onDisk = await File.ReadAllBytesAsync(Path.Combine(outPrefix, Ferry.Core.Paths.Lfn2Pfn.Hash("user.root", name)));
            Assert.Equal(expected, new TestFile("x", "x", onDisk).Adler32);
            Assert.Contains(content, c => c.GetProperty("name").GetString() == name);
        }
        await TaskData.WaitForRuleLocksAsync(api, task.GetProperty("rule_id").GetString()!, 9);
        var replicas = await api.StreamAsync("POST", "/replicas/list", """{"dids":[{"scope":"user.root","name":"local_out"}]}""");
        Assert.All(replicas, r => Assert.Equal("AVAILABLE", r.GetProperty("states").GetProperty("TASK-OUT").GetString()));

        // The failing job ran twice and stopped; both attempts' stderr is kept.
        var failed = await api.StreamAsync("GET", $"/ferry/tasks/{id}/attempts?failed=true");
        Assert.Equal([1, 2], failed.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.All(failed, a => Assert.Equal(7, a.GetProperty("exit_code").GetInt32()));
        using (var log = await api.SendAsync("GET", $"/ferry/tasks/{id}/jobs/3/attempts/2/stderr"))
            Assert.Equal("job 3 refuses to run\n", await log.Content.ReadAsStringAsync());

        // Inputs on a posix RSE this machine sees are read in place, not copied.
        using (var stdout = await api.SendAsync("GET", $"/ferry/tasks/{id}/jobs/1/attempts/1/stdout"))
            Assert.Equal($"reading {Path.Combine(inputPrefix, files[0].HashPath)}\n", await stdout.Content.ReadAsStringAsync());

        // The CLI downloads the failure's logs.
        var dir = TempDirs.Create("task-logs");
        var saved = await Infrastructure.Cli.OkAsync(server, "task", "logs", id.ToString(), "--failed", "--dir", dir);
        Assert.Contains("4 logs saved", saved);
        Assert.Equal("job 3 refuses to run\n", await File.ReadAllTextAsync(Path.Combine(dir, "job-00003.attempt-1.stderr")));
        var printed = await Infrastructure.Cli.OkAsync(server, "task", "logs", id.ToString(), "--failed");
        Assert.Contains("==> job 3 attempt 2 stderr (failed, exit 7: the command exited with 7) <==\njob 3 refuses to run", printed);
    }
}
