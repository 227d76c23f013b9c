using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Rules;

/// <summary>Account limits per RSE and per RSE expression, as Rucio enforces them on rule creation.</summary>
public sealed class QuotaTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private async Task<string> UserWithDataset(string account, string rse, string prefix, int files, int size)
    {
        await f.Api.SendAsync("POST", $"/accounts/{account}", """{"type":"USER"}""");
        await f.Api.SendAsync("POST", $"/accounts/{account}/identities", $$"""{"identity":"{{account}}","authtype":"USERPASS","password":"pw"}""");
        await f.Api.SendAsync("POST", $"/accounts/{account}/scopes/user.{account}");
        await Site.UploadAsync(f.Api, rse, prefix, "quota_ds", Site.MakeFiles($"user.{account}", account, files, _ => size));
        return await f.Api.TokenAsync(account, "pw");
    }

    private async Task<HttpResponseMessage> AddRule(string token, string account, string expression) =>
        await f.Api.SendAsync("POST", "/rules/", $$"""{"dids":[{"scope":"user.{{account}}","name":"quota_ds"}],"copies":1,"rse_expression":"{{expression}}","account":null}""", token);

    [Fact]
    public async Task Without_a_limit_a_user_cannot_place_rules_and_nothing_is_created()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "QUOTA-NONE");
        var token = await UserWithDataset("qnone", "QUOTA-NONE", prefix, 3, 100);
        var message = await RawApi.AssertError(await AddRule(token, "qnone", "QUOTA-NONE"), 409, "InsufficientAccountLimit");
        Assert.Contains("300 bytes", message);
        Assert.Empty(await f.Api.StreamAsync("GET", "/dids/user.qnone/quota_ds/rules"));
    }

    [Fact]
    public async Task A_limit_too_small_is_refused_with_the_numbers_and_a_big_enough_one_is_charged()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "QUOTA-LOCAL");
        var token = await UserWithDataset("qlocal", "QUOTA-LOCAL", prefix, 4, 250);
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/qlocal/limits/local/QUOTA-LOCAL", """{"bytes":999}""")).StatusCode);
        var message = await RawApi.AssertError(await AddRule(token, "qlocal", "QUOTA-LOCAL"), 409, "InsufficientAccountLimit");
        Assert.Contains("1000 bytes", message);
        Assert.Contains("999 bytes left", message);

        await f.Api.SendAsync("POST", "/accounts/qlocal/limits/local/QUOTA-LOCAL", """{"bytes":1500}""");
        using var ok = await AddRule(token, "qlocal", "QUOTA-LOCAL");
        Assert.Equal(201, (int)ok.StatusCode);
        var usage = (await f.Api.StreamAsync("GET", "/accounts/qlocal/usage/local")).Single(u => u.GetProperty("rse").GetString() == "QUOTA-LOCAL");
        Assert.Equal(1000, usage.GetProperty("bytes").GetInt64());
        Assert.Equal(1500, usage.GetProperty("bytes_limit").GetInt64());
        Assert.Equal(500, usage.GetProperty("bytes_remaining").GetInt64());
        var limits = await f.Api.JsonAsync("GET", "/accounts/qlocal/limits/local");
        Assert.Equal(1500, limits.GetProperty("QUOTA-LOCAL").GetInt64());
    }

    [Fact]
    public async Task A_global_limit_over_an_expression_caps_every_rse_it_covers()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "QUOTA-G1");
        await f.Api.SendAsync("POST", "/rses/QUOTA-G1/attr/qgroup", """{"value":"yes"}""");
        var token = await UserWithDataset("qglobal", "QUOTA-G1", prefix, 2, 500);
        await f.Api.SendAsync("POST", "/accounts/qglobal/limits/local/QUOTA-G1", """{"bytes":-1}""");
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", $"/accounts/qglobal/limits/global/{Uri.EscapeDataString("qgroup=yes")}", """{"bytes":600}""")).StatusCode);
        await RawApi.AssertError(await AddRule(token, "qglobal", "QUOTA-G1"), 409, "InsufficientAccountLimit");
        await f.Api.SendAsync("POST", $"/accounts/qglobal/limits/global/{Uri.EscapeDataString("qgroup=yes")}", """{"bytes":1000}""");
        Assert.Equal(201, (int)(await AddRule(token, "qglobal", "QUOTA-G1")).StatusCode);
        var global = await f.Api.JsonAsync("GET", "/accounts/qglobal/limits/global");
        Assert.Equal("QUOTA-G1", global.GetProperty("qgroup=yes").GetProperty("resolved_rses")[0].GetString());
    }

    [Fact]
    public async Task Mock_rses_and_admins_are_not_charged_against_limits()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "QUOTA-MOCK");
        await f.Api.SendAsync("POST", "/rses/QUOTA-MOCK/attr/mock", """{"value":true}""");
        var token = await UserWithDataset("qmock", "QUOTA-MOCK", prefix, 2, 10);
        Assert.Equal(201, (int)(await AddRule(token, "qmock", "QUOTA-MOCK")).StatusCode);
    }

    [Fact]
    public async Task Only_admins_set_limits()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "QUOTA-ADM");
        var token = await UserWithDataset("qsneaky", "QUOTA-ADM", prefix, 1, 1);
        using var resp = await f.Api.SendAsync("POST", "/accounts/qsneaky/limits/local/QUOTA-ADM", """{"bytes":1000000}""", token);
        await RawApi.AssertError(resp, 401, "AccessDenied");
    }
}
