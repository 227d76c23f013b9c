using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Agent;

/// <summary>
/// SIGKILL of the agent in the middle of a large dataset, then a restart: the dataset completes with every file
/// verified, partial files resume by byte range, and no file ever appears under its final name unverified.
/// The dataset is 300 MB (20 x 15 MB), not the 1 GB, so the suite stays fast; the path is the same.
/// </summary>
public sealed class CrashResumeTests
{
    [Fact]
    public async Task Sigkill_mid_dataset_then_restart_completes_with_every_file_verified()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var prefix = await Site.AddPosixRseAsync(api, "CRASH-SRC");
        var files = await AgentData.DatasetAsync(api, "CRASH-SRC", prefix, "user.root", "crash_big", 20, i => 15_000_000 + i * 7);
        var expected = files.ToDictionary(x => x.Name, x => Site.Sha(x.Content));
        // A bandwidth limit makes the download last long enough to be killed in the middle on any machine.
        await using var agent = await AgentProcess.StartAsync(server, ["--bandwidth-limit", "60MB", "--max-parallel", "4"]);

        var (status, _) = await agent.SendAsync("POST", "/ds?ds_name=user.root:crash_big");
        Assert.Equal(202, status);
        var total = files.Sum(x => (long)x.Content.Length);
        await Site.WaitUntilAsync(async () =>
            (await agent.GetAsync("/ds?ds_name=user.root:crash_big")).GetProperty("bytes_done").GetInt64() > total / 4,
            TimeSpan.FromSeconds(60), "a quarter of the dataset");
        agent.Kill();

        var dir = Path.Combine(agent.Dir, "user.root", "crash_big");
        var finals = Directory.EnumerateFiles(dir).Where(p => !p.EndsWith(".ferry.part", StringComparison.Ordinal)).ToList();
        var parts = Directory.EnumerateFiles(dir, "*.ferry.part").ToList();
        Assert.True(finals.Count < files.Count, $"the kill came too late: {finals.Count} files were already done");
        Assert.NotEmpty(parts);
        foreach (var p in finals) Assert.Equal(expected[Path.GetFileName(p)], Site.Sha(await File.ReadAllBytesAsync(p)));

        // Restarted without the limit: the request and the partial files are picked up from DIR alone.
        await agent.StartProcessAsync([]);
        var local = await agent.WaitForDatasetAsync("user.root:crash_big", "local", TimeSpan.FromSeconds(120));
        Assert.Equal(20, local.GetProperty("files_done").GetInt32());
        AgentData.AssertLocal(agent.Dir, "user.root", "crash_big", files);
        var log = (await agent.GetAsync("/logs?name=user.root:crash_big")).EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(log, l => l.Contains("resumed at byte", StringComparison.Ordinal));
    }
}
