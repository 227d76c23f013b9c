using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>An account writes only in its own scopes and manages only its own rules unless it is an admin.</summary>
public sealed class PermissionTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private async Task<string> UserToken(string account)
    {
        await f.Api.SendAsync("POST", $"/accounts/{account}", """{"type":"USER","email":"u@example.org"}""");
        await f.Api.SendAsync("POST", $"/accounts/{account}/identities", $$"""{"identity":"{{account}}","authtype":"USERPASS","password":"pw-{{account}}","email":"u@example.org"}""");
        await f.Api.SendAsync("POST", $"/accounts/{account}/scopes/user.{account}");
        return await f.Api.TokenAsync(account, $"pw-{account}");
    }

    [Fact]
    public async Task A_user_cannot_write_in_someone_elses_scope_but_can_in_its_own()
    {
        var token = await UserToken("alice");
        using var other = await f.Api.SendAsync("POST", "/dids/user.root/alice_was_here", """{"type":"DATASET"}""", token);
        Assert.Contains("user.root", await RawApi.AssertError(other, 401, "AccessDenied"));
        using var own = await f.Api.SendAsync("POST", "/dids/user.alice/mine", """{"type":"DATASET"}""", token);
        Assert.Equal(201, (int)own.StatusCode);
    }

    [Fact]
    public async Task A_user_cannot_add_rses_or_accounts()
    {
        var token = await UserToken("bob");
        using var rse = await f.Api.SendAsync("POST", "/rses/BOB-RSE", null, token);
        await RawApi.AssertError(rse, 401, "AccessDenied");
        using var acc = await f.Api.SendAsync("POST", "/accounts/mallory", """{"type":"USER"}""", token);
        await RawApi.AssertError(acc, 401, "AccessDenied");
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_deletes_a_rule()
    {
        var token = await UserToken("carol");
        await f.Api.SendAsync("POST", "/dids/user.root/root_ds", """{"type":"DATASET"}""");
        var ids = await f.Api.JsonAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"root_ds"}],"copies":1,"rse_expression":"LOCAL","account":null}""");
        var id = ids[0].GetString();
        using var del = await f.Api.SendAsync("DELETE", $"/rules/{id}", "{}", token);
        await RawApi.AssertError(del, 401, "AccessDenied");
        using var upd = await f.Api.SendAsync("PUT", $"/rules/{id}", """{"options":{"lifetime":1}}""", token);
        await RawApi.AssertError(upd, 401, "AccessDenied");
        using var mine = await f.Api.SendAsync("DELETE", $"/rules/{id}?immediate=true", "{}");
        Assert.Equal(200, (int)mine.StatusCode);
        using var gone = await f.Api.SendAsync("GET", $"/rules/{id}");
        await RawApi.AssertError(gone, 404, "RuleNotFound");
    }

    [Fact]
    public async Task Rucio_rest_delete_only_schedules_expiry_within_the_hour()
    {
        await f.Api.SendAsync("POST", "/dids/user.root/soft_ds", """{"type":"DATASET"}""");
        var ids = await f.Api.JsonAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"soft_ds"}],"copies":1,"rse_expression":"LOCAL","account":null}""");
        var id = ids[0].GetString();
        using var del = await f.Api.SendAsync("DELETE", $"/rules/{id}", """{"purge_replicas":null}""");
        Assert.Equal(200, (int)del.StatusCode);
        var rule = await f.Api.JsonAsync("GET", $"/rules/{id}");
        var expires = DateTime.ParseExact(rule.GetProperty("expires_at").GetString()!, "ddd, dd MMM yyyy HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, DateTime.UtcNow.AddMinutes(55), DateTime.UtcNow.AddMinutes(61));
    }
}
