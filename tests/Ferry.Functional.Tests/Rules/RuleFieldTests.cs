using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Rules;

/// <summary>Scenario tests for rule fields whose effect is on placement: weight, ignore_availability, source_replica_expression, grouping NONE.</summary>
public sealed class RuleFieldTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Weight_drops_rses_without_the_attribute_and_a_non_numeric_weight_is_refused()
    {
        var src = await Site.AddPosixRseAsync(f.Api, "W-SRC");
        await Site.AddPosixRseAsync(f.Api, "W-HEAVY");
        await Site.AddPosixRseAsync(f.Api, "W-NONE");
        foreach (var r in new[] { "W-HEAVY", "W-NONE" }) await f.Api.SendAsync("POST", $"/rses/{r}/attr/wgroup", """{"value":"1"}""");
        await f.Api.SendAsync("POST", "/rses/W-HEAVY/attr/wvalue", """{"value":"10"}""");
        await Site.UploadAsync(f.Api, "W-SRC", src, "w_ds", Site.MakeFiles("user.root", "w", 2, _ => 100));
        var ids = await f.Api.JsonAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"w_ds"}],"copies":1,"rse_expression":"wgroup=1","weight":"wvalue","account":null}""");
        var locks = await f.Api.StreamAsync("GET", $"/rules/{ids[0].GetString()}/locks");
        Assert.All(locks, l => Assert.Equal("W-HEAVY", l.GetProperty("rse").GetString()));

        await f.Api.SendAsync("POST", "/rses/W-NONE/attr/wbad", """{"value":"heavy"}""");
        await f.Api.SendAsync("POST", "/rses/W-HEAVY/attr/wbad", """{"value":"heavy"}""");
        using var bad = await f.Api.SendAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"w_ds"}],"copies":2,"rse_expression":"wgroup=1","weight":"wbad","account":null}""");
        await RawApi.AssertError(bad, 409, "InvalidRuleWeight");
    }

    [Fact]
    public async Task Ignore_availability_allows_a_write_blocked_rse_and_the_conveyor_waits_for_it()
    {
        var src = await Site.AddPosixRseAsync(f.Api, "IA-SRC");
        var dst = await Site.AddPosixRseAsync(f.Api, "IA-DST");
        await Site.UploadAsync(f.Api, "IA-SRC", src, "ia_ds", Site.MakeFiles("user.root", "ia", 2, _ => 100));
        await f.Api.SendAsync("PUT", "/rses/IA-DST", """{"availability_write":false}""");
        using var refused = await f.Api.SendAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"ia_ds"}],"copies":1,"rse_expression":"IA-DST","account":null}""");
        await RawApi.AssertError(refused, 500, "RSEWriteBlocked");
        var ids = await f.Api.JsonAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"ia_ds"}],"copies":1,"rse_expression":"IA-DST","account":null,"ignore_availability":true}""");
        var id = ids[0].GetString()!;
        await Task.Delay(3000);
        Assert.Empty(Site.Snapshot(dst));
        Assert.Equal("REPLICATING", (await f.Api.JsonAsync("GET", $"/rules/{id}")).GetProperty("state").GetString());
        await f.Api.SendAsync("PUT", "/rses/IA-DST", """{"availability_write":true}""");
        await Site.WaitForRuleAsync(f.Api, id, "OK", TimeSpan.FromSeconds(30));
        Assert.Equal(2, Site.Snapshot(dst).Count);
    }

    [Fact]
    public async Task Source_replica_expression_restricts_where_transfers_read_from()
    {
        var near = await Site.AddPosixRseAsync(f.Api, "SRC-NEAR");
        var far = await Site.AddPosixRseAsync(f.Api, "SRC-FAR");
        var dst = await Site.AddPosixRseAsync(f.Api, "SRC-DST");
        var files = Site.MakeFiles("user.root", "srcx", 2, _ => 500);
        await Site.UploadAsync(f.Api, "SRC-NEAR", near, "srcx_ds", files);
        await Site.UploadAsync(f.Api, "SRC-FAR", far, "srcx_far", files);   // second replicas of the same files
        // Only SRC-FAR may serve: make its copies unreadable (wrong bytes) and the transfer must fail, not fall back to SRC-NEAR.
        foreach (var file in files) await File.WriteAllBytesAsync(Path.Combine(far, file.HashPath), new byte[500]);
        var ids = await f.Api.JsonAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"srcx_ds"}],"copies":1,"rse_expression":"SRC-DST","account":null,"source_replica_expression":"SRC-FAR"}""");
        await Site.WaitForRuleAsync(f.Api, ids[0].GetString()!, "STUCK", TimeSpan.FromSeconds(60));
        Assert.Empty(Site.Snapshot(dst));
    }

    [Fact]
    public async Task Grouping_none_places_each_file_on_its_own()
    {
        var src = await Site.AddPosixRseAsync(f.Api, "GN-SRC");
        foreach (var n in new[] { "GN-1", "GN-2", "GN-3" })
        {
            await Site.AddPosixRseAsync(f.Api, n);
            await f.Api.SendAsync("POST", $"/rses/{n}/attr/gn", """{"value":"yes"}""");
        }
        await Site.UploadAsync(f.Api, "GN-SRC", src, "gn_ds", Site.MakeFiles("user.root", "gn", 30, _ => 10));
        var id = await Site.AddRuleAsync(f.Api, "user.root", "gn_ds", "gn=yes", grouping: "NONE");
        var locks = await f.Api.StreamAsync("GET", $"/rules/{id}/locks");
        Assert.Equal(30, locks.Count);
        // 30 independent draws over 3 RSEs all landing on one RSE has probability 3 * (1/3)^30.
        Assert.True(locks.Select(l => l.GetProperty("rse").GetString()).Distinct().Count() > 1);
    }
}
