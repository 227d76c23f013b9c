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
        var stuck = await Site.WaitForRuleAsync(api, id, "STUCK", TimeSpan.FromSeconds(60));
        Assert.Equal(3, stuck.GetProperty("locks_stuck_cnt").GetInt32());

        await api.SendAsync("PUT", "/rses/MV-GOOD", """{"availability_write":true}""");
        await Site.WaitForRuleAsync(api, id, "OK", TimeSpan.FromSeconds(60));
        var locks = await api.StreamAsync("GET", $"/rules/{id}/locks");
        Assert.Equal(3, locks.Count);
        Assert.All(locks, l => Assert.Equal("MV-GOOD", l.GetProperty("rse").GetString()));
        foreach (var f in files) Assert.Equal(f.Content, await File.ReadAllBytesAsync(Path.Combine(good, f.HashPath)));
    }
}
