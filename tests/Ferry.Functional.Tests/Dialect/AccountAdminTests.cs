using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>Account administration as Rucio's clients do it (update, suspend, delete, filtered listing), pinned to the real server's answers.</summary>
public sealed class AccountAdminTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private async Task AddAccount(string name, string password)
    {
        using (var add = await f.Api.SendAsync("POST", $"/accounts/{name}", """{"type":"USER","email":"a@example.org"}""")) Assert.Equal(201, (int)add.StatusCode);
        using var id = await f.Api.SendAsync("POST", $"/accounts/{name}/identities", $$"""{"identity":"{{name}}","authtype":"USERPASS","password":"{{password}}","email":"a@example.org"}""");
        Assert.Equal(201, (int)id.StatusCode);
    }

    private async Task<int> LoginStatus(string name, string password)
    {
        using var http = new HttpClient { BaseAddress = new Uri(f.Server.Url) };
        using var req = new HttpRequestMessage(HttpMethod.Get, "/auth/userpass");
        req.Headers.Add("X-Rucio-Username", name);
        req.Headers.Add("X-Rucio-Password", password);
        using var resp = await http.SendAsync(req);
        return (int)resp.StatusCode;
    }

    [Fact]
    public async Task A_suspended_account_cannot_log_in_until_it_is_active_again()
    {
        await AddAccount("suspendme", "pw-suspend-1");
        var token = await f.Api.TokenAsync("suspendme", "pw-suspend-1");
        using (var put = await f.Api.SendAsync("PUT", "/accounts/suspendme", """{"status":"SUSPENDED"}""")) Assert.Equal(200, (int)put.StatusCode);
        Assert.Equal("SUSPENDED", (await f.Api.JsonAsync("GET", "/accounts/suspendme")).GetProperty("status").GetString());
        Assert.Equal(401, await LoginStatus("suspendme", "pw-suspend-1"));
        using (var old = await f.Api.SendAsync("GET", "/accounts/whoami", token: token)) Assert.Equal(401, (int)old.StatusCode);
        using (var put = await f.Api.SendAsync("PUT", "/accounts/suspendme", """{"status":"ACTIVE","email":"test"}""")) Assert.Equal(200, (int)put.StatusCode);
        var info = await f.Api.JsonAsync("GET", "/accounts/suspendme");
        Assert.Equal("ACTIVE", info.GetProperty("status").GetString());
        Assert.Equal("test", info.GetProperty("email").GetString());
        Assert.Equal(200, await LoginStatus("suspendme", "pw-suspend-1"));
    }

    [Theory]
    [InlineData("""{"status":"BOGUS"}""", "status")]
    [InlineData("""{"bogus":"x"}""", "bogus")]
    public async Task A_bad_update_is_refused_and_changes_nothing(string body, string named)
    {
        await AddAccount("badupdate" + named.Length, "pw-bad-1");
        using var put = await f.Api.SendAsync("PUT", $"/accounts/badupdate{named.Length}", body);
        Assert.Contains(named, await RawApi.AssertError(put, 400, "InvalidObject"));
        Assert.Equal("ACTIVE", (await f.Api.JsonAsync("GET", $"/accounts/badupdate{named.Length}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_deleted_account_is_kept_as_DELETED_left_out_of_listings_and_a_second_delete_is_AccountNotFound()
    {
        await AddAccount("deleteme", "pw-delete-1");
        using (var del = await f.Api.SendAsync("DELETE", "/accounts/deleteme")) Assert.Equal(200, (int)del.StatusCode);
        Assert.Equal("DELETED", (await f.Api.JsonAsync("GET", "/accounts/deleteme")).GetProperty("status").GetString());
        Assert.DoesNotContain(await f.Api.StreamAsync("GET", "/accounts/"), a => a.GetProperty("account").GetString() == "deleteme");
        Assert.Equal(401, await LoginStatus("deleteme", "pw-delete-1"));
        using var again = await f.Api.SendAsync("DELETE", "/accounts/deleteme");
        await RawApi.AssertError(again, 404, "AccountNotFound");
        using var missing = await f.Api.SendAsync("PUT", "/accounts/nosuchaccount", """{"email":"x"}""");
        await RawApi.AssertError(missing, 404, "AccountNotFound");
    }

    [Fact]
    public async Task Listing_filters_by_type_identity_and_attribute()
    {
        await AddAccount("listattr", "pw-list-1");
        using (var attr = await f.Api.SendAsync("POST", "/accounts/listattr/attr/test_list_account", """{"value":true}""")) Assert.Equal(201, (int)attr.StatusCode);
        var byAttr = await f.Api.StreamAsync("GET", "/accounts/?test_list_account=true");
        Assert.Equal(["listattr"], byAttr.Select(a => a.GetProperty("account").GetString()));
        Assert.Contains(await f.Api.StreamAsync("GET", "/accounts/?account_type=SERVICE"), a => a.GetProperty("account").GetString() == "root");
        Assert.DoesNotContain(await f.Api.StreamAsync("GET", "/accounts/?account_type=SERVICE"), a => a.GetProperty("account").GetString() == "listattr");
        Assert.Equal(["listattr"], (await f.Api.StreamAsync("GET", "/accounts/?identity=listattr")).Select(a => a.GetProperty("account").GetString()));
        Assert.Equal(["listattr"], (await f.Api.StreamAsync("GET", "/accounts/?account=lista*")).Select(a => a.GetProperty("account").GetString()));
    }

    [Fact]
    public async Task Errors_carry_Rucio_classes()
    {
        using var badType = await f.Api.SendAsync("POST", "/accounts/badtype", """{"type":"FAKEFAKEFAKEFAKE","email":"a@b.c"}""");
        Assert.Contains("FAKEFAKEFAKEFAKE", await RawApi.AssertError(badType, 400, "InvalidAccountType"));
        using var noScopes = await f.Api.SendAsync("GET", "/accounts/nosuchaccount/scopes");
        await RawApi.AssertError(noScopes, 404, "AccountNotFound");
        using var gss = await f.Api.SendAsync("POST", "/accounts/root/identities", """{"identity":"jdoe@CERN.CH","authtype":"GSS","email":"jdoe@CERN.CH"}""");
        Assert.Equal(201, (int)gss.StatusCode);
    }
}
