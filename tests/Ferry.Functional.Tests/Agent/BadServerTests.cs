using System.Net;
using System.Text;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Agent;

/// <summary>A "server" that answers every request with 200 and garbage: clear error statuses, no crash, nothing written.</summary>
public sealed class BadServerTests
{
    [Fact]
    public async Task Garbage_answers_give_error_statuses_and_the_agent_keeps_running()
    {
        var port = FerryServer.FreePort();
        using var garbage = new HttpListener();
        garbage.Prefixes.Add($"http://127.0.0.1:{port}/");
        garbage.Start();
        using var stop = new CancellationTokenSource();
        var serve = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext ctx;
                try { ctx = await garbage.GetContextAsync(); }
                catch (Exception) when (stop.IsCancellationRequested) { return; }
                var body = Encoding.UTF8.GetBytes("<html>this is not the Rucio dialect</html>");
                ctx.Response.StatusCode = 200;
                await ctx.Response.OutputStream.WriteAsync(body);
                ctx.Response.Close();
            }
        });
        // Only the address differs from a real server: the agent finds "it" through FERRY_URL as usual.
        await using var server = await FerryServer.StartAsync();
        await using var agent = await AgentProcess.StartAsync(server, env: new Dictionary<string, string> { ["FERRY_URL"] = $"http://127.0.0.1:{port}" });

        var (status, body) = await agent.SendAsync("POST", "/ds?ds_name=user.root:whatever");
        Assert.Equal(502, status);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
        await Site.WaitUntilAsync(async () =>
            (await agent.SendAsync("GET", "/dsfiles?ds_name=user.root:other")).Body.GetProperty("status").GetString() == "error",
            TimeSpan.FromSeconds(30), "the listing to end in an error rather than stay queued");
        Assert.Equal(200, (await agent.SendAsync("GET", "/status")).Status);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(agent.Dir), e => !e.EndsWith(".ferry-agent", StringComparison.Ordinal));

        await stop.CancelAsync();
        garbage.Stop();
        await serve;
    }
}
