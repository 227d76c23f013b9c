using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// Rucio's /subscriptions API, pinned to the answers of the real Rucio 41 server (status, ExceptionClass, keys and
/// their JSON types), and the subscription's rules traced back to it by subscription_id.
/// </summary>
public sealed class RucioSubscriptionTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private const string Options = """
        {"options":{"filter":{"scope":["user.root"],"pattern":"sub_ds_","excluded_pattern":"sub_ds_skip","account":["root"],"project":["data13_hip"]},
         "replication_rules":[{"rse_expression":"SUB-A","copies":1,"activity":"Staging"}],
         "comments":"Ni ! Ni!","lifetime":100000,"retroactive":false,"dry_run":false}}
        """;

    [Fact]
    public async Task Add_answers_the_id_as_text_and_a_second_add_is_SubscriptionDuplicate()
    {
        using var add = await f.Api.SendAsync("POST", "/subscriptions/root/sub-dup", Options);
        var id = await add.Content.ReadAsStringAsync();
        Assert.Equal(201, (int)add.StatusCode);
        Assert.Matches("^[0-9a-f]{32}$", id);
        using var again = await f.Api.SendAsync("POST", "/subscriptions/root/sub-dup", Options);
        await RawApi.AssertError(again, 409, "SubscriptionDuplicate");
    }

    [Fact]
    public async Task Listing_by_name_gives_Rucio_keys_and_types()
    {
        using var add = await f.Api.SendAsync("POST", "/subscriptions/root/sub-list", Options);
        Assert.Equal(201, (int)add.StatusCode);
        var line = Assert.Single(await f.Api.StreamAsync("GET", "/subscriptions/name/sub-list"));
        string[] keys = ["id", "name", "account", "filter", "replication_rules", "policyid", "state", "comments", "lifetime", "retroactive",
            "expired_at", "last_processed", "created_at", "updated_at"];
        Assert.Equal(keys.Order(), line.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(JsonValueKind.String, line.GetProperty("filter").ValueKind);
        Assert.Equal(JsonValueKind.String, line.GetProperty("replication_rules").ValueKind);
        Assert.Equal(JsonValueKind.Number, line.GetProperty("policyid").ValueKind);
        Assert.Equal(JsonValueKind.False, line.GetProperty("retroactive").ValueKind);
        Assert.Equal(JsonValueKind.Null, line.GetProperty("expired_at").ValueKind);
        Assert.Equal("ACTIVE", line.GetProperty("state").GetString());
        // A lifetime is in days, as in Rucio: 100,000 days from 2026 reach the year 2300.
        var year = int.Parse(line.GetProperty("lifetime").GetString()!.Split(' ')[3]);
        Assert.InRange(year, 2300, 2301);
        using var filter = JsonDocument.Parse(line.GetProperty("filter").GetString()!);
        Assert.Equal("sub_ds_", filter.RootElement.GetProperty("pattern").GetString());
        Assert.Equal("data13_hip", filter.RootElement.GetProperty("project")[0].GetString());
        var byAccount = Assert.Single(await f.Api.StreamAsync("GET", "/subscriptions/root/sub-list"));
        Assert.Equal(line.GetProperty("id").GetString(), byAccount.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Update_changes_the_filter_and_a_missing_subscription_is_SubscriptionNotFound()
    {
        using (var add = await f.Api.SendAsync("POST", "/subscriptions/root/sub-upd", Options)) Assert.Equal(201, (int)add.StatusCode);
        using (var put = await f.Api.SendAsync("PUT", "/subscriptions/root/sub-upd", """{"options":{"filter":{"project":["toto"]}}}"""))
            Assert.Equal(201, (int)put.StatusCode);
        var line = Assert.Single(await f.Api.StreamAsync("GET", "/subscriptions/root/sub-upd"));
        using var filter = JsonDocument.Parse(line.GetProperty("filter").GetString()!);
        Assert.Equal("toto", filter.RootElement.GetProperty("project")[0].GetString());
        using var missing = await f.Api.SendAsync("PUT", "/subscriptions/root/no-such-sub", """{"options":{"filter":{"project":["toto"]}}}""");
        await RawApi.AssertError(missing, 404, "SubscriptionNotFound");
        using var get = await f.Api.SendAsync("GET", "/subscriptions/root/no-such-sub");
        await RawApi.AssertError(get, 404, "SubscriptionNotFound");
    }

    [Theory]
    [InlineData("""{"options":{"filter":{"scope":["user.root"]},"replication_rules":[{"rse_expression":"SUB-A","copies":1,"activity":"noactivity"}],"comments":"","lifetime":null,"retroactive":false,"dry_run":false}}""", "activity")]
    [InlineData("""{"options":{"filter":{"scope":["user.root"],"split_rule":true},"replication_rules":[{"rse_expression":"SUB-A"}],"comments":"","lifetime":null,"retroactive":false,"dry_run":false}}""", "split_rule")]
    [InlineData("""{"options":{"filter":{"scope":["user.root"]},"replication_rules":[{"rse_expression":"SUB-A","weight":"w"}],"comments":"","lifetime":null,"retroactive":false,"dry_run":false}}""", "weight")]
    public async Task What_Ferry_cannot_honour_is_InvalidObject_and_nothing_is_added(string body, string named)
    {
        using var resp = await f.Api.SendAsync("POST", "/subscriptions/root/sub-bad", body);
        Assert.Contains(named, await RawApi.AssertError(resp, 400, "InvalidObject"));
        using var get = await f.Api.SendAsync("GET", "/subscriptions/root/sub-bad");
        await RawApi.AssertError(get, 404, "SubscriptionNotFound");
    }

    [Fact]
    public async Task Rules_a_subscription_places_carry_its_id_and_the_rule_listing_filters_on_it()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "SUB-A");
        using (var add = await f.Api.SendAsync("POST", "/subscriptions/root/sub-rules", """
            {"options":{"filter":{"scope":["user.root"],"pattern":"subr_","did_type":["DATASET"]},
             "replication_rules":[{"rse_expression":"SUB-A","copies":1}],"comments":"","lifetime":null,"retroactive":false,"dry_run":false}}
            """))
            Assert.Equal(201, (int)add.StatusCode);
        var id = Assert.Single(await f.Api.StreamAsync("GET", "/subscriptions/root/sub-rules")).GetProperty("id").GetString()!;
        await Site.UploadAsync(f.Api, "SUB-A", prefix, "subr_ds1", Site.MakeFiles("user.root", "subr", 1, _ => 100));
        // The server's own subscriber may hold the subscription's lease when the round is asked for; then it places the rule.
        await Site.WaitUntilAsync(async () =>
        {
            using (var run = await f.Api.SendAsync("POST", "/ferry/subscriptions/run")) Assert.True(run.IsSuccessStatusCode);
            return (await f.Api.StreamAsync("GET", $"/rules/?subscription_id={id}")).Count > 0;
        }, TimeSpan.FromSeconds(60), "the subscription to place its rule");
        var rule = Assert.Single(await f.Api.StreamAsync("GET", $"/rules/?subscription_id={id}"));
        Assert.Equal(id, rule.GetProperty("subscription_id").GetString());
        Assert.Equal("subr_ds1", rule.GetProperty("name").GetString());
        Assert.Equal(rule.GetProperty("id").GetString(), Assert.Single(await f.Api.StreamAsync("GET", "/subscriptions/root/sub-rules/rules")).GetProperty("id").GetString());
        Assert.Empty(await f.Api.StreamAsync("GET", "/rules/?subscription_id=0123456789abcdef0123456789abcdef"));
        // Rucio answers an unknown filter key with a bare 500; Ferry refuses it and says which keys it takes.
        using var bogus = await f.Api.SendAsync("GET", "/rules/?bogus=1");
        Assert.Contains("subscription_id", await RawApi.AssertError(bogus, 400, "InvalidObject"));
    }
}
