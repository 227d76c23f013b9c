using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Data;

/// <summary>`ferry data delete`: rules go; replicas only with --purge-replicas; locked rules fail alone.</summary>
public sealed class DeleteTests
{
    [Fact]
    public async Task Delete_removes_rules_and_purges_replicas_only_when_asked()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var c = new DataCatalogue(server, api);
        await c.RseAsync("XA");
        // A cache RSE with room: unneeded replicas stay, so only purging removes them.
        Assert.Equal(200, (int)(await api.SendAsync("PUT", "/rses/XA/limits", """{"name":"MinFreeSpace","value":1}""")).StatusCode);
        foreach (var d in new[] { "x_keep", "x_purge", "x_locked", "x_none" }) await c.DatasetAsync($"user.root:{d}");
        var keepFiles = await c.FilesAsync("user.root:x_keep", 2, "XA");
        var purgeFiles = await c.FilesAsync("user.root:x_purge", 2, "XA");
        var keep = await c.RuleAsync("user.root:x_keep", "XA");
        var purge = await c.RuleAsync("user.root:x_purge", "XA");
        var locked = await c.RuleAsync("user.root:x_locked", "XA");
        await api.SendAsync("PUT", $"/rules/{locked}", """{"options":{"locked":true}}""");

        var plan = DataOutput.Items(await c.Ferry("data", "delete", "--pattern", "x_.*", "--json"));
        Assert.Equal([("user.root:x_keep", "delete"), ("user.root:x_locked", "fail"), ("user.root:x_none", "skip"), ("user.root:x_purge", "delete")],
            plan.Select(p => (DataOutput.Did(p), DataOutput.Outcome(p))).Order());

        var run = await c.Ferry("data", "delete", "--pattern", "x_keep|x_locked|x_none", "--submit", "--json");
        Assert.Equal(3, run.ExitCode);                                    // partly failed: the locked rule
        Assert.Equal([("user.root:x_keep", "deleted"), ("user.root:x_locked", "failed"), ("user.root:x_none", "skipped")],
            DataOutput.Items(run).Select(p => (DataOutput.Did(p), DataOutput.Outcome(p))).Order());
        Assert.Equal(404, (int)(await api.SendAsync("GET", $"/rules/{keep}")).StatusCode);
        Assert.Equal(200, (int)(await api.SendAsync("GET", $"/rules/{locked}")).StatusCode);

        var purged = await c.Ferry("data", "delete", "--pattern", "x_purge", "--purge-replicas", "--submit");
        Assert.True(purged.ExitCode == 0, purged.Stderr);
        Assert.Equal(404, (int)(await api.SendAsync("GET", $"/rules/{purge}")).StatusCode);
        var prefix = c.Prefixes["XA"];
        await Site.WaitUntilAsync(() => Task.FromResult(purgeFiles.All(f => !File.Exists(Path.Combine(prefix, f.HashPath)))), TimeSpan.FromSeconds(30),
            "the reaper to delete the purged replicas");
        Assert.All(keepFiles, f => Assert.True(File.Exists(Path.Combine(prefix, f.HashPath)), $"{f.Name} was deleted without --purge-replicas"));
        Assert.Equal(2, (await api.StreamAsync("POST", "/replicas/list", """{"dids":[{"scope":"user.root","name":"x_keep"}]}""")).Count);
    }
}
