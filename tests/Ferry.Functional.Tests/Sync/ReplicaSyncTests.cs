using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Sync;

/// <summary>`ferry sync replicas`: 20 datasets on 3 RSEs of a real source server into an empty one; reruns; changes; the guard.</summary>
[Collection(SyncSourceCollection.Name)]
public sealed class ReplicaSyncTests(SyncSourceFixture source)
{
    [Fact]
    public async Task Twenty_datasets_on_three_rses_sync_into_an_empty_server_and_a_rerun_changes_nothing()
    {
        await using var target = await FerryServer.StartAsync();
        using var api = new RawApi(target);
        var from = source.Server.Url;
        await SyncSourceFixture.OkAsync(target, "sync", "rses", "--from", from, "--select", "^SYNC-[ABC]$");
        await SyncSourceFixture.OkAsync(target, "sync", "accounts", "--select", "^SYNC-");

        var dry = await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", from, "--rse", "SYNC-A");
        Assert.Contains("SYNC-A: source 21 file(s), target 0: 21 missing, 0 extra, 0 changed", dry);
        Assert.Contains("dry run: nothing was changed", dry);
        Assert.Empty(await SyncSourceFixture.ReplicasAsync(api, "SYNC-A"));

        foreach (var rse in SyncSourceFixture.Rses)
            await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", from, "--rse", rse, "--submit", "--chunk", "7");
        foreach (var rse in SyncSourceFixture.Rses)
            Assert.Equal(await SyncSourceFixture.ReplicasAsync(source.Api, rse), await SyncSourceFixture.ReplicasAsync(api, rse));

        // Containers came along; each dataset has one rule on its RSE, owned by the RSE's account, and it is satisfied.
        var content = (await api.StreamAsync("GET", "/dids/user.root/sync_cont_1/dids")).Select(d => d.GetProperty("name").GetString()).Order().ToList();
        Assert.Equal(source.Datasets.Skip(10).Select(d => d.Dataset), content);
        foreach (var (dataset, rse, _) in source.Datasets)
        {
            var rules = await api.StreamAsync("GET", $"/dids/user.root/{dataset}/rules");
            var rule = Assert.Single(rules);
            Assert.Equal(rse, rule.GetProperty("rse_expression").GetString());
            Assert.Equal(rse.ToLowerInvariant(), rule.GetProperty("account").GetString());
            await Site.WaitForRuleAsync(api, rule.GetProperty("id").GetString()!, "OK", TimeSpan.FromSeconds(30));
        }

        var before = await AllAsync(api);
        foreach (var rse in SyncSourceFixture.Rses)
            Assert.Contains("nothing to change", await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", from, "--rse", rse, "--submit"));
        Assert.Equal(before, await AllAsync(api));

        // A file only the target has is extra: detached from its dataset, then released by the rule and reaped.
        var prefix = source.Prefixes["SYNC-A"];
        var stray = Site.MakeFiles("user.root", "sync_stray", 1, _ => 2048);
        await Site.UploadAsync(api, "SYNC-A", prefix, "sync_ds_00", stray);
        var report = await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", from, "--rse", "SYNC-A", "--submit");
        Assert.Contains("user.root:sync_ds_00: 0 missing, 1 extra, 0 changed", report);
        Assert.DoesNotContain((await api.StreamAsync("GET", "/dids/user.root/sync_ds_00/dids")), d => d.GetProperty("name").GetString() == stray[0].Name);
        var ds0Rule = Assert.Single(await api.StreamAsync("GET", "/dids/user.root/sync_ds_00/rules")).GetProperty("id").GetString()!;
        await Site.WaitUntilAsync(async () => (await api.JsonAsync("GET", $"/rules/{ds0Rule}")).GetProperty("locks_ok_cnt").GetInt32() == 3,
            TimeSpan.FromSeconds(30), "the rule to release the extra file");
        foreach (var (_, rse, files) in source.Datasets)
            foreach (var f in files) Assert.True(File.Exists(Path.Combine(source.Prefixes[rse], f.HashPath)), $"{f.Name} must stay on the storage");
    }

    [Fact]
    public async Task A_changed_file_in_a_dump_shows_as_changed_and_a_source_that_lost_everything_is_refused()
    {
        await using var target = await FerryServer.StartAsync();
        using var api = new RawApi(target);
        await SyncSourceFixture.OkAsync(target, "sync", "rses", "--from", source.Server.Url, "--select", "^SYNC-B$");
        await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", source.Server.Url, "--rse", "SYNC-B", "--submit");
        var synced = await SyncSourceFixture.ReplicasAsync(api, "SYNC-B");
        Assert.Equal(21, synced.Count);

        // The source as a dump, with one file's checksum changed.
        var lines = (await source.Api.StreamAsync("GET", "/ferry/rses/SYNC-B/replicas")).Select(r => JsonSerializer.Serialize(new
        {
            rse = "SYNC-B", scope = r.GetProperty("scope").GetString(), name = r.GetProperty("name").GetString(), bytes = r.GetProperty("bytes").GetInt64(),
            adler32 = r.GetProperty("adler32").GetString(), dataset = r.GetProperty("dataset").GetString(),
        })).ToList();
        var victim = JsonDocument.Parse(lines[4]).RootElement.GetProperty("name").GetString();
        lines[4] = lines[4].Replace(JsonDocument.Parse(lines[4]).RootElement.GetProperty("adler32").GetString()!, "0badc0de");
        var dump = Path.Combine(target.Home, "sync-b.jsonl");
        await File.WriteAllLinesAsync(dump, lines.Prepend("# dump of SYNC-B"));
        var changed = await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", dump, "--rse", "SYNC-B", "--json");
        using (var doc = JsonDocument.Parse(changed))
        {
            Assert.Equal(1, doc.RootElement.GetProperty("changed").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("missing").GetInt32());
            var change = doc.RootElement.GetProperty("datasets")[0].GetProperty("changed")[0];
            Assert.Equal($"user.root:{victim}", change.GetProperty("did").GetString());
            Assert.Contains("0badc0de", change.GetProperty("what").GetString());
        }

        // An empty source server with the same RSE: everything would go, so nothing does.
        await using var empty = await FerryServer.StartAsync();
        using var emptyApi = new RawApi(empty);
        await Site.AddPosixRseAsync(emptyApi, "SYNC-B");
        var guarded = await SyncSourceFixture.RunAsync(target, "sync", "replicas", "--from", empty.Url, "--rse", "SYNC-B", "--submit");
        Assert.Equal(1, guarded.ExitCode);
        Assert.Contains("would remove all 21", guarded.Stderr);
        Assert.Contains("--allow-clean", guarded.Stderr);
        await File.WriteAllTextAsync(dump, "");
        Assert.Equal(1, (await SyncSourceFixture.RunAsync(target, "sync", "replicas", "--from", dump, "--rse", "SYNC-B", "--submit")).ExitCode);
        Assert.Equal(synced, await SyncSourceFixture.ReplicasAsync(api, "SYNC-B"));
        Assert.Single(await api.StreamAsync("GET", "/dids/user.root/sync_ds_01/rules"));
    }

    /// <summary>Everything a rerun could change on the target: the replicas of the three RSEs and the rules.</summary>
    private static async Task<List<string>> AllAsync(RawApi api)
    {
        var all = new List<string>();
        foreach (var rse in SyncSourceFixture.Rses) all.AddRange(await SyncSourceFixture.ReplicasAsync(api, rse));
        all.AddRange((await api.StreamAsync("GET", "/rules/")).Select(r => $"{r.GetProperty("id").GetString()} {r.GetProperty("name").GetString()} {r.GetProperty("rse_expression").GetString()}").Order());
        return all;
    }
}
