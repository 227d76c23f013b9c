using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Sync;

/// <summary>
/// `ferry sync replicas` keeps dataset membership in step (issue 23): a file moved between datasets on the source, and
/// one merely detached there (the source still lists its replica, in no dataset), are reported in the dry run and moved
/// on --submit, from a Ferry source and from a dump; no replica is lost on the target on the way.
/// </summary>
public sealed class MembershipSyncTests
{
    private const string Rse = "MEM-A";

    [Fact]
    public async Task Moves_between_datasets_and_detached_files_are_reported_and_applied_from_a_server_and_from_a_dump()
    {
        await using var source = await FerryServer.StartAsync();
        using var sourceApi = new RawApi(source);
        var prefix = await Site.AddPosixRseAsync(sourceApi, Rse);
        var ds1 = Site.MakeFiles("user.root", "mem_ds1", 2, n => 1500 + n);
        var ds2 = Site.MakeFiles("user.root", "mem_ds2", 3, n => 1700 + n);
        await Site.UploadAsync(sourceApi, Rse, prefix, "mem_ds1", ds1);
        await Site.UploadAsync(sourceApi, Rse, prefix, "mem_ds2", ds2);

        await using var target = await FerryServer.StartAsync();
        using var api = new RawApi(target);
        await SyncSourceFixture.OkAsync(target, "sync", "rses", "--from", source.Url, "--select", $"^{Rse}$");
        await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", source.Url, "--rse", Rse, "--submit");
        Assert.Equal(["mem_ds2_0000.dat", "mem_ds2_0001.dat", "mem_ds2_0002.dat"], await ContentAsync(api, "mem_ds2"));

        // On the source: ds2_0000 moves to ds1, ds2_0001 is detached and belongs to no dataset; both replicas stay.
        var moved = ds2[0].Name;
        var loose = ds2[1].Name;
        Assert.Equal(200, (int)(await sourceApi.SendAsync("DELETE", "/dids/user.root/mem_ds2/dids", Dids(moved, loose))).StatusCode);
        Assert.Equal(201, (int)(await sourceApi.SendAsync("POST", "/dids/user.root/mem_ds1/dids", Dids(moved))).StatusCode);

        var dry = await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", source.Url, "--rse", Rse);
        Assert.Contains($"{Rse}: source 5 file(s), target 5: 0 missing, 0 extra, 0 changed, 2 moved", dry);
        Assert.Contains($"moved user.root:{moved}: user.root:mem_ds2 -> user.root:mem_ds1", dry);
        Assert.Contains($"moved user.root:{loose}: user.root:mem_ds2 -> (no dataset)", dry);
        Assert.Contains("dry run: nothing was changed", dry);
        Assert.Equal(["mem_ds2_0000.dat", "mem_ds2_0001.dat", "mem_ds2_0002.dat"], await ContentAsync(api, "mem_ds2"));

        var json = await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", source.Url, "--rse", Rse, "--json");
        using (var doc = JsonDocument.Parse(json)) Assert.Equal(2, doc.RootElement.GetProperty("moved").GetInt32());

        await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", source.Url, "--rse", Rse, "--submit");
        Assert.Equal(["mem_ds1_0000.dat", "mem_ds1_0001.dat", moved], await ContentAsync(api, "mem_ds1"));
        Assert.Equal([ds2[2].Name], await ContentAsync(api, "mem_ds2"));
        var ownRule = Assert.Single(await api.StreamAsync("GET", $"/dids/user.root/{loose}/rules"));
        Assert.Equal(Rse, ownRule.GetProperty("rse_expression").GetString());
        // ds2's rule lets both go; the replicas stay, held by ds1's rule and by the loose file's own rule.
        var ds2Rule = Assert.Single(await api.StreamAsync("GET", "/dids/user.root/mem_ds2/rules")).GetProperty("id").GetString()!;
        await Site.WaitUntilAsync(async () => (await api.JsonAsync("GET", $"/rules/{ds2Rule}")).GetProperty("locks_ok_cnt").GetInt32() == 1,
            TimeSpan.FromSeconds(30), "ds2's rule to release the files that left it");
        await Task.Delay(TimeSpan.FromSeconds(3));                       // the reaper's turn
        Assert.Equal(await SyncSourceFixture.ReplicasAsync(sourceApi, Rse), await SyncSourceFixture.ReplicasAsync(api, Rse));
        Assert.Contains("nothing to change", await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", source.Url, "--rse", Rse, "--submit"));

        // A dump that moves ds2's last file into ds1.
        var lines = (await sourceApi.StreamAsync("GET", $"/ferry/rses/{Rse}/replicas")).Select(r => JsonSerializer.Serialize(new
        {
            rse = Rse, scope = r.GetProperty("scope").GetString(), name = r.GetProperty("name").GetString(), bytes = r.GetProperty("bytes").GetInt64(),
            adler32 = r.GetProperty("adler32").GetString(),
            dataset = r.GetProperty("name").GetString() == ds2[2].Name ? "user.root:mem_ds1" : r.GetProperty("dataset").GetString(),
        }));
        var dump = Path.Combine(target.Home, "mem.jsonl");
        await File.WriteAllLinesAsync(dump, lines);
        var fromDump = await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", dump, "--rse", Rse);
        Assert.Contains($"moved user.root:{ds2[2].Name}: user.root:mem_ds2 -> user.root:mem_ds1", fromDump);
        await SyncSourceFixture.OkAsync(target, "sync", "replicas", "--from", dump, "--rse", Rse, "--submit");
        Assert.Empty(await ContentAsync(api, "mem_ds2"));
        Assert.Equal(["mem_ds1_0000.dat", "mem_ds1_0001.dat", moved, ds2[2].Name], await ContentAsync(api, "mem_ds1"));
        Assert.Equal(5, (await SyncSourceFixture.ReplicasAsync(api, Rse)).Count);
    }

    private static string Dids(params string[] names) =>
        JsonSerializer.Serialize(new { dids = names.Select(n => new { scope = "user.root", name = n }) });

    private static async Task<List<string>> ContentAsync(RawApi api, string dataset) =>
        (await api.StreamAsync("GET", $"/dids/user.root/{dataset}/dids")).Select(d => d.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();
}
