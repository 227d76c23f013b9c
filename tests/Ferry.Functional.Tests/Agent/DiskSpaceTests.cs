using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Agent;

/// <summary>A dataset that does not fit is refused before a byte is written, with a clear status.</summary>
public sealed class DiskSpaceTests
{
    [Fact]
    public async Task A_dataset_that_cannot_fit_fails_with_insufficient_space_and_writes_nothing()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var prefix = await Site.AddPosixRseAsync(api, "SPACE-SRC");
        await AgentData.DatasetAsync(api, "SPACE-SRC", prefix, "user.root", "big_ds", 2, _ => 100_000);
        // Keeping a petabyte free stands in for a full disk: no test machine has that much room.
        await using var agent = await AgentProcess.StartAsync(server, ["--min-free", "1PB"]);

        var (status, _) = await agent.SendAsync("POST", "/ds?ds_name=user.root:big_ds");
        Assert.True(status is 200 or 202);
        var failed = await agent.WaitForDatasetAsync("user.root:big_ds", "insufficient_space", TimeSpan.FromSeconds(30));
        Assert.Contains("bytes", failed.GetProperty("error").GetString());
        Assert.Empty(Directory.EnumerateFiles(agent.Dir, "*.dat*", SearchOption.AllDirectories));
        var lines = (await agent.GetAsync("/logs?name=user.root:big_ds")).EnumerateArray().Select(e => e.GetString()!);
        Assert.Contains(lines, l => l.Contains("insufficient_space", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dir_that_is_not_writable_stops_the_agent_with_a_clear_message()
    {
        await using var server = await FerryServer.StartAsync();
        var file = Path.Combine(TempDirs.Create("notdir"), "plain-file");
        await File.WriteAllTextAsync(file, "");
        var r = await Infrastructure.Cli.RunAsync(["agent", "--dir", Path.Combine(file, "sub"), "--listen", $"127.0.0.1:{FerryServer.FreePort()}"], server.Home,
            new Dictionary<string, string> { ["FERRY_URL"] = server.Url }, TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("not writable", r.Stderr);
    }
}
