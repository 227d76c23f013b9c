using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Rules;

/// <summary>Rule placement leaves out RSEs whose storage has no room (free space less MinFreeSpace) for the data.</summary>
public sealed class FreeSpaceTests
{
    [Fact]
    public async Task Rses_without_room_are_not_chosen_and_a_rule_that_fits_nowhere_is_refused()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var src = await Site.AddPosixRseAsync(api, "FS-SRC");
        await Site.AddPosixRseAsync(api, "FS-FULL");
        await Site.AddPosixRseAsync(api, "FS-ROOMY");
        var files = Site.MakeFiles("user.root", "fs", 4, _ => 10_000);
        await Site.UploadAsync(api, "FS-SRC", src, "fs_ds", files);

        // The reaper records what each storage says about its free space; wait until it has for FS-FULL.
        await Site.WaitUntilAsync(async () => (await api.StreamAsync("GET", "/rses/FS-FULL/usage")).Any(u => u.GetProperty("source").GetString() == "storage"),
            TimeSpan.FromSeconds(30), "the storage's free space to be recorded");
        var free = (await api.StreamAsync("GET", "/rses/FS-FULL/usage")).Single(u => u.GetProperty("source").GetString() == "storage").GetProperty("free").GetInt64();
        Assert.True(free > 0);
        // Keep more free than the disk has: FS-FULL has no room at all.
        using (var limit = await api.SendAsync("PUT", "/rses/FS-FULL/limits", JsonSerializer.Serialize(new { name = "MinFreeSpace", value = free + (1L << 40) })))
            Assert.True((int)limit.StatusCode is 200 or 201, await limit.Content.ReadAsStringAsync());

        for (var i = 0; i < 8; i++)
        {
            var ds = $"fs_pick_{i}";
            await api.SendAsync("POST", $"/dids/user.root/{ds}", """{"type":"DATASET"}""");
            await api.SendAsync("POST", $"/dids/user.root/{ds}/dids", JsonSerializer.Serialize(new { dids = new[] { new { scope = "user.root", name = files[i % 4].Name } } }));
            var id = await Site.AddRuleAsync(api, "user.root", ds, "FS-FULL|FS-ROOMY");
            var locks = await api.StreamAsync("GET", $"/rules/{id}/locks");
            Assert.All(locks, l => Assert.Equal("FS-ROOMY", l.GetProperty("rse").GetString()));
        }

        using var refused = await api.SendAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"fs_ds"}],"copies":1,"rse_expression":"FS-FULL","account":null}""");
        var message = await RawApi.AssertError(refused, 409, "InsufficientTargetRSEs");
        Assert.Contains("FS-FULL", message);
        Assert.Contains("free space", message);
    }
}
