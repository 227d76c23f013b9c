using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Agent;

/// <summary>Loopback needs no token; with one set every API call needs it; a non-loopback address without one is refused.</summary>
public sealed class TokenTests
{
    [Fact]
    public async Task With_a_token_every_call_needs_it_and_it_never_shows()
    {
        await using var server = await FerryServer.StartAsync();
        const string token = "agent-test-token-0123456789";
        await using var agent = await AgentProcess.StartAsync(server, env: new Dictionary<string, string> { ["FERRY_AGENT_TOKEN"] = token });

        var (status, body) = await agent.SendAsync("GET", "/status");
        Assert.Equal(401, status);
        Assert.Equal("unauthorized", body.GetProperty("status").GetString());
        Assert.Equal(401, (await agent.SendAsync("GET", "/ds?ds_name=user.root:x")).Status);

        using var req = new HttpRequestMessage(HttpMethod.Get, "/status");
        req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var ok = await agent.Http.SendAsync(req);
        Assert.Equal(200, (int)ok.StatusCode);
        Assert.DoesNotContain(token, await ok.Content.ReadAsStringAsync());
        // The page holds no data and is served without the token; its script reads the token from the URL fragment.
        using var page = await agent.Http.GetAsync("/");
        Assert.Equal(200, (int)page.StatusCode);
        Assert.DoesNotContain(token, agent.Log);
    }

    [Fact]
    public async Task Listening_beyond_loopback_without_a_token_is_refused()
    {
        await using var server = await FerryServer.StartAsync();
        var r = await Infrastructure.Cli.RunAsync(["agent", "--dir", TempDirs.Create("agent"), "--listen", $"0.0.0.0:{FerryServer.FreePort()}"], server.Home,
            new Dictionary<string, string> { ["FERRY_URL"] = server.Url }, TimeSpan.FromSeconds(60));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("FERRY_AGENT_TOKEN", r.Stderr);
    }
}
