using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Agent;

/// <summary>GET /status and GET /logs: the server link, the credentials without the secret, the queue, and per-dataset logs.</summary>
public sealed class StatusAndLogsTests(AgentFixture f) : IClassFixture<AgentFixture>
{
    [Fact]
    public async Task Status_shows_the_server_the_account_and_no_secret()
    {
        var s = await f.Agent.GetAsync("/status");
        for (var i = 0; i < 100 && s.GetProperty("credentials").GetProperty("valid").ValueKind != JsonValueKind.True; i++)
        {
            await Task.Delay(200);
            s = await f.Agent.GetAsync("/status");
        }
        Assert.Equal(f.Server.Url, s.GetProperty("server").GetProperty("url").GetString());
        Assert.True(s.GetProperty("server").GetProperty("reachable").GetBoolean());
        Assert.Equal("root", s.GetProperty("credentials").GetProperty("account").GetString());
        Assert.True(DateTimeOffset.Parse(s.GetProperty("credentials").GetProperty("expires").GetString()!) > DateTimeOffset.UtcNow);
        Assert.Equal(0, s.GetProperty("queue_length").GetInt32());
        Assert.DoesNotContain(FerryServer.RootPassword, s.ToString());
    }

    [Fact]
    public async Task Logs_list_names_and_recent_lines_without_secrets()
    {
        await AgentData.DatasetAsync(f.Api, f.Rse, f.Prefix, "user.root", "log_ds", 2, _ => 10_000);
        await f.Agent.SendAsync("POST", "/ds?ds_name=user.root:log_ds");
        await f.Agent.WaitForDatasetAsync("user.root:log_ds", "local", TimeSpan.FromSeconds(60));

        var names = (await f.Agent.GetAsync("/logs")).EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("agent", names);
        Assert.Contains("user.root:log_ds", names);
        var lines = (await f.Agent.GetAsync("/logs?name=user.root:log_ds")).EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(lines, l => l.Contains("complete: 2 files", StringComparison.Ordinal));
        Assert.Empty((await f.Agent.GetAsync("/logs?name=no-such-log")).EnumerateArray());
        var all = string.Join('\n', (await f.Agent.GetAsync("/logs?name=agent")).EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain(FerryServer.RootPassword, all);
        Assert.DoesNotContain(FerryServer.RootPassword, f.Agent.Log);
    }
}
