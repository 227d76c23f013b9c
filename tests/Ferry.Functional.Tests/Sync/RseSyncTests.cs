using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Sync;

/// <summary>`ferry sync rses`, `sync accounts` and `sync links` from a real source server into an empty one.</summary>
[Collection(SyncSourceCollection.Name)]
public sealed class RseSyncTests(SyncSourceFixture source)
{
    [Fact]
    public async Task Rses_accounts_and_links_reach_an_empty_server_the_lfn2pfn_check_refuses_a_mismatch_and_reruns_change_nothing()
    {
        await using var target = await FerryServer.StartAsync();
        using var api = new RawApi(target);
        var from = source.Server.Url;

        var dry = await SyncSourceFixture.RunAsync(target, "sync", "rses", "--from", from, "--select", "^SYNC-", "--dry-run");
        Assert.Contains("would: SYNC-A: created", dry.Stdout);
        Assert.Equal(404, (int)(await api.SendAsync("GET", "/rses/SYNC-A")).StatusCode);

        var run = await SyncSourceFixture.RunAsync(target, "sync", "rses", "--from", from, "--select", "^SYNC-");
        Assert.Equal(1, run.ExitCode);                                  // SYNC-ID refused, the others synced
        Assert.Contains("refused SYNC-ID: lfn2pfn self-check failed", run.Stderr);
        Assert.Contains("identity", run.Stderr);
        Assert.Equal(404, (int)(await api.SendAsync("GET", "/rses/SYNC-ID")).StatusCode);
        foreach (var rse in SyncSourceFixture.Rses)
        {
            var attrs = await api.JsonAsync("GET", $"/rses/{rse}/attr/");
            var theirs = await source.Api.JsonAsync("GET", $"/rses/{rse}/attr/");
            foreach (var key in new[] { "site", "region", "tier" }) Assert.Equal(theirs.GetProperty(key).GetString(), attrs.GetProperty(key).GetString());
            var protocol = (await api.JsonAsync("GET", $"/rses/{rse}")).GetProperty("protocols")[0];
            Assert.Equal("file", protocol.GetProperty("scheme").GetString());
            Assert.Equal(source.Prefixes[rse].TrimEnd('/'), protocol.GetProperty("prefix").GetString()!.TrimEnd('/'));
        }
        var again = await SyncSourceFixture.OkAsync(target, "sync", "rses", "--from", from, "--select", "^SYNC-", "--exclude", "^SYNC-ID$");
        Assert.Contains("nothing to change", again);

        await SyncSourceFixture.OkAsync(target, "sync", "accounts", "--select", "^SYNC-");
        var accounts = (await api.StreamAsync("GET", "/accounts")).Select(a => a.GetProperty("account").GetString()).ToList();
        Assert.Contains("sync-a", accounts);
        Assert.Contains("sync-c", accounts);
        Assert.Contains("nothing to change", await SyncSourceFixture.OkAsync(target, "sync", "accounts", "--select", "^SYNC-"));

        await SyncSourceFixture.OkAsync(target, "sync", "links", "--select", "^SYNC-");
        Assert.Equal(1, await Distance(api, "SYNC-A", "SYNC-B"));           // same site
        Assert.Equal(3, await Distance(api, "SYNC-C", "SYNC-A"));           // other site, other region
        Assert.Contains("nothing to change", await SyncSourceFixture.OkAsync(target, "sync", "links", "--select", "^SYNC-"));

        var kept = await SyncSourceFixture.OkAsync(target, "sync", "links", "--from", from, "--select", "^SYNC-");
        Assert.Contains("kept 1", kept);
        Assert.Equal(1, await Distance(api, "SYNC-A", "SYNC-B"));
        await SyncSourceFixture.OkAsync(target, "sync", "links", "--from", from, "--select", "^SYNC-", "--overwrite");
        Assert.Equal(4, await Distance(api, "SYNC-A", "SYNC-B"));
        Assert.Equal(9, await Distance(api, "SYNC-A", "SYNC-C"));
        Assert.Equal(3, await Distance(api, "SYNC-C", "SYNC-A"));           // the source has no such link: left as it was
    }

    [Fact]
    public async Task Links_with_disable_leave_unrelated_rses_unlinked()
    {
        await using var target = await FerryServer.StartAsync();
        using var api = new RawApi(target);
        await SyncSourceFixture.OkAsync(target, "sync", "rses", "--from", source.Server.Url, "--select", "^SYNC-[ABC]$");
        var dry = await SyncSourceFixture.OkAsync(target, "sync", "links", "--select", "^SYNC-", "--disable", "--dry-run");
        Assert.Contains("would: SYNC-A -> SYNC-B: 1", dry);
        Assert.Null(await Distance(api, "SYNC-A", "SYNC-B"));
        await SyncSourceFixture.OkAsync(target, "sync", "links", "--select", "^SYNC-", "--disable");
        Assert.Equal(1, await Distance(api, "SYNC-B", "SYNC-A"));
        Assert.Null(await Distance(api, "SYNC-A", "SYNC-C"));
    }

    [Fact]
    public async Task An_rse_that_holds_replicas_on_the_target_is_not_repointed_without_allow_repoint()
    {
        // The target's own SYNC-A, somewhere else than the source's, with a file on it.
        await using var target = await FerryServer.StartAsync();
        using var api = new RawApi(target);
        var ours = await Site.AddPosixRseAsync(api, "SYNC-A");
        await Site.UploadAsync(api, "SYNC-A", ours, "own_ds", Site.MakeFiles("user.root", "own", 1, _ => 900));

        var dry = await SyncSourceFixture.RunAsync(target, "sync", "rses", "--from", source.Server.Url, "--exclude", "^SYNC-ID$", "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("would: SYNC-A: protocol file replaced", dry.Stdout);
        Assert.Contains("DANGEROUS", dry.Stdout);
        Assert.Contains("1 replica(s)", dry.Stdout);
        Assert.Contains("--allow-repoint", dry.Stdout);
        Assert.Contains("would: SYNC-B: created", dry.Stdout);              // an RSE the target lacks is no repointing

        var run = await SyncSourceFixture.RunAsync(target, "sync", "rses", "--from", source.Server.Url, "--exclude", "^SYNC-ID$");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("refused SYNC-A: protocol file", run.Stderr);
        Assert.Contains("--allow-repoint", run.Stderr);
        Assert.Equal(ours.TrimEnd('/'), await PrefixAsync(api, "SYNC-A"));
        Assert.Equal(source.Prefixes["SYNC-B"].TrimEnd('/'), await PrefixAsync(api, "SYNC-B"));

        await SyncSourceFixture.OkAsync(target, "sync", "rses", "--from", source.Server.Url, "--exclude", "^SYNC-ID$", "--allow-repoint");
        Assert.Equal(source.Prefixes["SYNC-A"].TrimEnd('/'), await PrefixAsync(api, "SYNC-A"));
    }

    private static async Task<string> PrefixAsync(RawApi api, string rse) =>
        (await api.JsonAsync("GET", $"/rses/{rse}")).GetProperty("protocols")[0].GetProperty("prefix").GetString()!.TrimEnd('/');

    private static async Task<int?> Distance(RawApi api, string a, string b)
    {
        var list = await api.JsonAsync("GET", $"/rses/{a}/distances/{b}");
        return list.GetArrayLength() == 0 ? null : list[0].GetProperty("distance").GetInt32();
    }
}
