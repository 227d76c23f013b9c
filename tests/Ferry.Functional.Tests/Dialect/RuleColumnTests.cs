using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>The rule columns the first wave answered with constants: stored, returned, updatable, and acted on where Ferry acts on them.</summary>
public sealed class RuleColumnTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_moved_rule_names_its_child_until_the_child_is_done()
    {
        var a = await Site.AddPosixRseAsync(f.Api, "RC-A");
        await Site.AddPosixRseAsync(f.Api, "RC-B");
        await Site.UploadAsync(f.Api, "RC-A", a, "rc_move", Site.MakeFiles("user.root", "rcm", 2, _ => 300));
        var parent = await Site.AddRuleAsync(f.Api, "user.root", "rc_move", "RC-A");
        Assert.True((await f.Api.JsonAsync("GET", $"/rules/{parent}")).GetProperty("child_rule_id").ValueKind == JsonValueKind.Null);
        // With its only source unreadable the child cannot finish, so the parent stays and points at it.
        await f.Api.SendAsync("PUT", "/rses/RC-A", """{"availability_read":false}""");
        var child = (await f.Api.JsonAsync("POST", $"/rules/{parent}/move", """{"rse_expression":"RC-B"}""")).GetString();
        Assert.Equal(child, (await f.Api.JsonAsync("GET", $"/rules/{parent}")).GetProperty("child_rule_id").GetString());
        await f.Api.SendAsync("PUT", "/rses/RC-A", """{"availability_read":true}""");
    }

    [Fact]
    public async Task Priority_meta_eol_activity_and_purge_are_updated_and_read_back()
    {
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/dids/user.root/rc_upd", """{"type":"DATASET"}""")).StatusCode);
        var id = await Site.AddRuleAsync(f.Api, "user.root", "rc_upd", "LOCAL");
        using (var put = await f.Api.SendAsync("PUT", $"/rules/{id}", """
            {"options":{"priority":2,"meta":{"campaign":"mc23"},"eol_at":"Tue, 01 Jan 2030 00:00:00 UTC","purge_replicas":true,"activity":"Express","source_replica_expression":"LOCAL"}}
            """))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var rule = await f.Api.JsonAsync("GET", $"/rules/{id}");
        Assert.Equal(2, rule.GetProperty("priority").GetInt32());
        Assert.Equal("mc23", JsonDocument.Parse(rule.GetProperty("meta").GetString()!).RootElement.GetProperty("campaign").GetString());
        Assert.Equal("Tue, 01 Jan 2030 00:00:00 UTC", rule.GetProperty("eol_at").GetString());
        Assert.True(rule.GetProperty("purge_replicas").GetBoolean());
        Assert.Equal("Express", rule.GetProperty("activity").GetString());
        Assert.Equal("LOCAL", rule.GetProperty("source_replica_expression").GetString());

        using (var clear = await f.Api.SendAsync("PUT", $"/rules/{id}", """{"options":{"eol_at":null,"meta":null}}"""))
            Assert.True(clear.IsSuccessStatusCode, await clear.Content.ReadAsStringAsync());
        rule = await f.Api.JsonAsync("GET", $"/rules/{id}");
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("eol_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("meta").ValueKind);

        using var badActivity = await f.Api.SendAsync("PUT", $"/rules/{id}", """{"options":{"priority":5,"activity":"Holidays"}}""");
        await RawApi.AssertError(badActivity, 400, "InvalidObject");
        using var badDate = await f.Api.SendAsync("PUT", $"/rules/{id}", """{"options":{"eol_at":"next tuesday"}}""");
        await RawApi.AssertError(badDate, 400, "InvalidObject");
        // The refused request changed nothing, not even the valid option beside the bad one.
        Assert.Equal(2, (await f.Api.JsonAsync("GET", $"/rules/{id}")).GetProperty("priority").GetInt32());
    }

    [Fact]
    public async Task Ignore_account_limit_is_for_admins_and_lets_the_rule_past_the_quota()
    {
        await f.Api.SendAsync("POST", "/accounts/dana", """{"type":"USER","email":"d@example.org"}""");
        await f.Api.SendAsync("POST", "/accounts/dana/identities", """{"identity":"dana","authtype":"USERPASS","password":"pw-dana","email":"d@example.org"}""");
        await f.Api.SendAsync("POST", "/accounts/dana/scopes/user.dana");
        var dana = await f.Api.TokenAsync("dana", "pw-dana");
        var prefix = await Site.AddPosixRseAsync(f.Api, "RC-Q");
        await Site.UploadAsync(f.Api, "RC-Q", prefix, "rc_quota", Site.MakeFiles("user.root", "rcq", 1, _ => 500));
        await Site.AddPosixRseAsync(f.Api, "RC-Q2");

        using var byUser = await f.Api.SendAsync("POST", "/rules/",
            """{"dids":[{"scope":"user.root","name":"rc_quota"}],"copies":1,"rse_expression":"RC-Q2","account":"dana","ignore_account_limit":true}""", dana);
        await RawApi.AssertError(byUser, 401, "AccessDenied");
        // dana has no limit on RC-Q2: an ordinary rule for her is refused, one that ignores the limit is made and charged to her.
        using var refused = await f.Api.SendAsync("POST", "/rules/",
            """{"dids":[{"scope":"user.root","name":"rc_quota"}],"copies":1,"rse_expression":"RC-Q2","account":"dana"}""");
        await RawApi.AssertError(refused, 409, "InsufficientAccountLimit");
        var ids = await f.Api.JsonAsync("POST", "/rules/",
            """{"dids":[{"scope":"user.root","name":"rc_quota"}],"copies":1,"rse_expression":"RC-Q2","account":"dana","ignore_account_limit":true,"split_container":true}""");
        var rule = await f.Api.JsonAsync("GET", $"/rules/{ids[0].GetString()}");
        Assert.True(rule.GetProperty("ignore_account_limit").GetBoolean());
        Assert.True(rule.GetProperty("split_container").GetBoolean());
        Assert.Equal("dana", rule.GetProperty("account").GetString());
        var usage = await f.Api.StreamAsync("GET", "/accounts/dana/usage/local/RC-Q2");
        Assert.Equal(500, usage[0].GetProperty("bytes").GetInt64());
    }
}
