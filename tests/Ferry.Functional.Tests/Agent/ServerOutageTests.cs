using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Agent;

/// <summary>The server goes away for a while and comes back on the same address: queued downloads resume by themselves.</summary>
public sealed class ServerOutageTests
{
    [Fact]
    public async Task Downloads_wait_with_backoff_while_the_server_is_down_and_resume_when_it_returns()
    {
        await using var server = await FerryServer.StartAsync();
        using (var api = new RawApi(server))
        {
            var prefix = await Site.AddPosixRseAsync(api, "OUTAGE-SRC");
            var files = await AgentData.DatasetAsync(api, "OUTAGE-SRC", prefix, "user.root", "outage_ds", 5, i => 1_000_000 + i);
            await using var agent = await AgentProcess.StartAsync(server, ["--retry-cap", "1s"]);

            server.Kill();
            var (status, body) = await agent.SendAsync("POST", "/ds?ds_name=user.root:outage_ds");
            Assert.Equal(202, status);
            Assert.Equal("downloading", body.GetProperty("status").GetString());
            await Site.WaitUntilAsync(async () => !(await agent.GetAsync("/status")).GetProperty("server").GetProperty("reachable").GetBoolean(),
                TimeSpan.FromSeconds(30), "the agent to notice the server is down");

            // No busy loop while waiting: a few seconds of outage cost almost no CPU.
            var before = agent.CpuTime();
            await Task.Delay(4000);
            var used = agent.CpuTime() - before;
            Assert.True(used < TimeSpan.FromMilliseconds(800), $"the agent used {used.TotalMilliseconds} ms of CPU in 4 s while the server was down");
            var waiting = await agent.GetAsync("/ds?ds_name=user.root:outage_ds");
            Assert.Equal("downloading", waiting.GetProperty("status").GetString());
            Assert.True((await agent.GetAsync("/status")).GetProperty("server").GetProperty("failures").GetInt32() >= 1);

            await server.StartProcessAsync();
            await agent.WaitForDatasetAsync("user.root:outage_ds", "local", TimeSpan.FromSeconds(60));
            AgentData.AssertLocal(agent.Dir, "user.root", "outage_ds", files);
            Assert.True((await agent.GetAsync("/status")).GetProperty("server").GetProperty("reachable").GetBoolean());
        }
    }
}
