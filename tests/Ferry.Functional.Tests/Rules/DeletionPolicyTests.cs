using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Rules;

/// <summary>Greedy deletion by default; with MinFreeSpace an RSE keeps unneeded replicas as a cache until space is short.</summary>
public sealed class DeletionPolicyTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task With_enough_free_space_unneeded_replicas_stay_until_the_rse_turns_greedy()
    {
        var a = await Site.AddPosixRseAsync(f.Api, "CACHE-A");
        var b = await Site.AddPosixRseAsync(f.Api, "CACHE-B");
        Assert.Equal(200, (int)(await f.Api.SendAsync("PUT", "/rses/CACHE-B/limits", """{"name":"MinFreeSpace","value":1}""")).StatusCode);
        var files = Site.MakeFiles("user.root", "cache", 3, _ => 2000);
        await Site.UploadAsync(f.Api, "CACHE-A", a, "cache_ds", files);
        var id = await Site.AddRuleAsync(f.Api, "user.root", "cache_ds", "CACHE-B");
        await Site.WaitForRuleAsync(f.Api, id, "OK", TimeSpan.FromSeconds(30));
        await f.Api.SendAsync("DELETE", $"/rules/{id}?immediate=true", "{}");
        await Task.Delay(5000);                                   // several reaper rounds
        Assert.Equal(3, Site.Snapshot(b).Count);

        await f.Api.SendAsync("POST", "/rses/CACHE-B/attr/greedyDeletion", """{"value":true}""");
        await Site.WaitUntilAsync(() => Task.FromResult(Site.Snapshot(b).Count == 0), TimeSpan.FromSeconds(30), "the greedy reaper to empty CACHE-B");
    }

    [Fact]
    public async Task Below_min_free_space_the_reaper_deletes()
    {
        var a = await Site.AddPosixRseAsync(f.Api, "SHORT-A");
        var b = await Site.AddPosixRseAsync(f.Api, "SHORT-B");
        await f.Api.SendAsync("PUT", "/rses/SHORT-B/limits", """{"name":"MinFreeSpace","value":9000000000000000000}""");
        var limits = await f.Api.JsonAsync("GET", "/rses/SHORT-B/limits");
        Assert.Equal(9000000000000000000, limits.GetProperty("MinFreeSpace").GetInt64());
        var files = Site.MakeFiles("user.root", "short", 2, _ => 2000);
        await Site.UploadAsync(f.Api, "SHORT-A", a, "short_ds", files);
        var id = await Site.AddRuleAsync(f.Api, "user.root", "short_ds", "SHORT-B");
        await Site.WaitForRuleAsync(f.Api, id, "OK", TimeSpan.FromSeconds(30));
        await f.Api.SendAsync("DELETE", $"/rules/{id}?immediate=true", "{}");
        await Site.WaitUntilAsync(() => Task.FromResult(Site.Snapshot(b).Count == 0), TimeSpan.FromSeconds(30), "the reaper to free SHORT-B");
    }

    [Fact]
    public async Task Any_limit_name_is_kept_as_in_Rucio_and_a_negative_value_is_refused()
    {
        await Site.AddPosixRseAsync(f.Api, "LIMIT-X");
        using (var put = await f.Api.SendAsync("PUT", "/rses/LIMIT-X/limits", """{"name":"SiteOwnLimit","value":1}"""))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        Assert.Equal(1, (await f.Api.JsonAsync("GET", "/rses/LIMIT-X/limits")).GetProperty("SiteOwnLimit").GetInt64());
        using var resp = await f.Api.SendAsync("PUT", "/rses/LIMIT-X/limits", """{"name":"SiteOwnLimit","value":-1}""");
        await RawApi.AssertError(resp, 400, "InvalidObject");
    }
}
