using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Rules;

/// <summary>A lock stuck because its destination keeps failing moves, when the expression allows, to another RSE.</summary>
public sealed class StuckLockMoveTests
{
    [Fact]
    public async Task The_repairer_moves_a_stuck_lock_to_another_rse_of_the_expression()
    {
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string>
        {
            ["FERRY_STUCK_RETRY_SECONDS"] = "2", ["FERRY_TRANSFER_ATTEMPTS"] = "1", ["FERRY_TRANSFER_TIMEOUT_SECONDS"] = "3",
        });
        using var api = new RawApi(server);
        var src = await Site.AddPosixRseAsync(api, "MV-SRC");
        var good = await Site.AddPosixRseAsync(api, "MV-GOOD");
        // A destination whose storage answers nothing: port 9 on loopback refuses connections.
        Assert.Equal(201, (int)(await api.SendAsync("POST", "/rses/MV-DEAD")).StatusCode);
        await api.SendAsync("POST", "/rses/MV-DEAD/protocols/http", JsonSerializer.Serialize(new
        {
            hostname = "127.0.0.1", port = 9, prefix = "/nowhere/",
            domains = new { lan = new { read = 1, write = 1, delete = 1 }, wan = new { read = 1, write = 1, delete = 1 } },
        }));
        var files = Site.MakeFiles("user.root", "mv", 3, _ => 2048);
        await Site.UploadAsync(api, "MV-SRC", src, "mv_ds", files);

        // At creation only MV-DEAD may be written, so every lock lands there and goes STUCK.
        await api.SendAsync("PUT", "/rses/MV-GOOD", """{"availability_write":false}""");
        var id = await Site.AddRuleAsync(api, "user.root", "mv_ds", "MV-DEAD|MV-GOOD", grouping: "NONE");
        // The rule is STUCK from its first stuck lock; the three transfers fail one by one.
        await Site.WaitUntilAsync(async () => (await api.JsonAsync("GET", $"/rules/{id}")).GetProperty("locks_stuck_cnt").GetInt32() == 3,
            TimeSpan.FromSeconds(60), "all three locks to be STUCK");
        Assert.Equal("STUCK", (await api.JsonAsync("GET", $"/rules/{id}")).GetProperty("state").GetString());

        await api.SendAsync("PUT", "/rses/MV-GOOD", """{"availability_write":true}""");
        await Site.WaitForRuleAsync(api, id, "OK", TimeSpan.FromSeconds(60));
        var locks = await api.StreamAsync("GET", $"/rules/{id}/locks");
        Assert.Equal(3, locks.Count);
        Assert.All(locks, l => Assert.Equal("MV-GOOD", l.GetProperty("rse").GetString()));
        foreach (var f in files) Assert.Equal(f.Content, await File.ReadAllBytesAsync(Path.Combine(good, f.HashPath)));
    }

    /// <summary>
    /// DATASET and ALL keep a group together: when one file's lock is stuck on a failing RSE, the group's OK locks there
    /// move with it. A container of two datasets tells them apart: DATASET moves the dataset with the stuck file, ALL both.
    /// </summary>
    [Theory]
    [InlineData("DATASET")]
    [InlineData("ALL")]
    public async Task Stuck_locks_of_a_group_move_together_to_another_rse(string grouping)
    {
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string>
        {
            ["FERRY_STUCK_RETRY_SECONDS"] = "2", ["FERRY_TRANSFER_ATTEMPTS"] = "1", ["FERRY_TRANSFER_TIMEOUT_SECONDS"] = "3",
        });
        using var api = new RawApi(server);
        var src = await Site.AddPosixRseAsync(api, "GM-SRC");
        var x = await Site.AddPosixRseAsync(api, "GM-X");
        var y = await Site.AddPosixRseAsync(api, "GM-Y");
        var first = Site.MakeFiles("user.root", "gm1", 2, _ => 1500);
        var second = Site.MakeFiles("user.root", "gm2", 2, _ => 1500);
        await Site.UploadAsync(api, "GM-SRC", src, "gm_ds1", first);
        await Site.UploadAsync(api, "GM-SRC", src, "gm_ds2", second);
        await api.SendAsync("POST", "/dids/user.root/gm_cont", """{"type":"CONTAINER"}""");
        await api.SendAsync("POST", "/dids/user.root/gm_cont/dids", """{"dids":[{"scope":"user.root","name":"gm_ds1"},{"scope":"user.root","name":"gm_ds2"}]}""");
        // One file cannot land on GM-X: a directory sits where its temporary file would be written.
        Directory.CreateDirectory(Path.Combine(x, first[0].HashPath + ".ferry.part"));

        // At creation only GM-X may be written, so every lock goes there; three copies succeed and one is stuck.
        await api.SendAsync("PUT", "/rses/GM-Y", """{"availability_write":false}""");
        var id = await Site.AddRuleAsync(api, "user.root", "gm_cont", "GM-X|GM-Y", grouping: grouping);
        await Site.WaitUntilAsync(async () =>
        {
            var r = await api.JsonAsync("GET", $"/rules/{id}");
            return r.GetProperty("locks_stuck_cnt").GetInt32() == 1 && r.GetProperty("locks_ok_cnt").GetInt32() == 3;
        }, TimeSpan.FromSeconds(60), "three OK locks and one stuck on GM-X");
        Assert.All(await api.StreamAsync("GET", $"/rules/{id}/locks"), l => Assert.Equal("GM-X", l.GetProperty("rse").GetString()));

        await api.SendAsync("PUT", "/rses/GM-Y", """{"availability_write":true}""");
        await Site.WaitForRuleAsync(api, id, "OK", TimeSpan.FromSeconds(60));
        var locks = (await api.StreamAsync("GET", $"/rules/{id}/locks")).ToDictionary(l => l.GetProperty("name").GetString()!, l => l.GetProperty("rse").GetString());
        Assert.Equal(4, locks.Count);
        var movedTogether = grouping == "ALL" ? first.Concat(second).ToList() : first;
        foreach (var f in movedTogether)
        {
            Assert.Equal("GM-Y", locks[f.Name]);
            Assert.Equal(f.Content, await File.ReadAllBytesAsync(Path.Combine(y, f.HashPath)));
        }
        foreach (var f in second.Except(movedTogether)) Assert.Equal("GM-X", locks[f.Name]);
    }
}
