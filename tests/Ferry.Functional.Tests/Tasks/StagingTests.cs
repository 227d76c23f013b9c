using Ferry.Functional.Tests.Infrastructure;
using Ferry.Testing;

namespace Ferry.Functional.Tests.Tasks;

/// <summary>Inputs without a replica this machine sees as a directory are copied from the nearest replica and verified.</summary>
public sealed class StagingTests
{
    [SkippableFact]
    public async Task Inputs_on_WebDAV_are_staged_and_a_byte_budget_splits_the_jobs()
    {
        StorageServices.Require();
        await using var server = await FerryServer.StartAsync(environment: TaskData.FastRetries);
        using var api = new RawApi(server);
        var dav = await StorageSites.AddAsync(server, api, "STAGE-DAV", "http");
        var files = Site.MakeFiles("user.root", "stage_in", 6, i => 4000 + i);
        await Site.UploadAsync(api, "STAGE-DAV", StorageServices.LocalPathOf(dav, ""), "stage_in", files);
        await Site.AddPosixRseAsync(api, "STAGE-OUT");
        // 4000..4005-byte files with a 9000-byte budget: two files per job.
        var id = await TaskData.SubmitAsync(api, new
        {
            input = "user.root:stage_in", bytes_per_job = 9000, output_scope = "user.root", output_dataset = "stage_out", output_rse = "STAGE-OUT",
            command = "echo {inputs}; for f in {inputs}; do cp $f {output}/$(basename $f).copy; done",
        });
        var task = await TaskData.WaitForStatusAsync(api, id, TimeSpan.FromSeconds(60), "done", "finished", "failed");
        Assert.Equal("done", TaskData.Status(task));
        Assert.Equal(3, task.GetProperty("jobs").GetInt32());
        Assert.Equal(6, task.GetProperty("output_files").GetInt64());
        Assert.Equal(files.Select(f => f.Adler32).Order(), task.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("adler32").GetString()).Order());
        using var stdout = await api.SendAsync("GET", $"/ferry/tasks/{id}/jobs/1/attempts/1/stdout");
        var read = (await stdout.Content.ReadAsStringAsync()).Trim().Split(' ');
        Assert.Equal(2, read.Length);
        Assert.All(read, p => Assert.StartsWith(Path.Combine(server.Home, "tasks", id.ToString(), "00001", "1", "in") + "/", p));
    }
}
