using System.Diagnostics;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Agent;

/// <summary>--bandwidth-limit and --max-parallel hold: downloads take at least as long as the rate allows, never more files at once.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task Bandwidth_limit_and_max_parallel_are_respected()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var prefix = await Site.AddPosixRseAsync(api, "LIMIT-SRC");
        var files = await AgentData.DatasetAsync(api, "LIMIT-SRC", prefix, "user.root", "limited_ds", 6, _ => 2_000_000);
        await using var agent = await AgentProcess.StartAsync(server, ["--bandwidth-limit", "4MB/s", "--max-parallel", "2"]);

        var clock = Stopwatch.StartNew();
        Assert.Equal(202, (await agent.SendAsync("POST", "/ds?ds_name=user.root:limited_ds")).Status);
        var mostAtOnce = 0;
        while ((await agent.GetAsync("/ds?ds_name=user.root:limited_ds")).GetProperty("status").GetString() != "local")
        {
            foreach (var d in (await agent.GetAsync("/status")).GetProperty("downloading").EnumerateArray())
                mostAtOnce = Math.Max(mostAtOnce, d.GetProperty("files_active").GetInt32());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), agent.Log);
            await Task.Delay(100);
        }
        // 12 MB at 4 MB/s with at most one second of burst allowance: no less than 2 s, however fast the machine.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"12 MB arrived in {clock.Elapsed.TotalSeconds:F2} s despite a 4 MB/s limit");
        Assert.InRange(mostAtOnce, 1, 2);
        AgentData.AssertLocal(agent.Dir, "user.root", "limited_ds", files);
    }
}
