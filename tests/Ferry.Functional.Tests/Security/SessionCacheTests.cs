using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Security;

/// <summary>
/// The server keeps validated tokens and admin flags in memory (Security/SessionCache). These pin that the cache never
/// outlives what it caches: changes made through the server apply to the next request, changes made behind its back
/// (the catalogue written by another process: another server on the same PostgreSQL, a worker) within a second, and a
/// token stops at its expiry.
/// </summary>
public sealed class SessionCacheTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(1);

    private async Task<string> UserTokenAsync(string account)
    {
        var api = fixture.Api;
        Assert.Equal(201, (int)(await api.SendAsync("POST", $"/accounts/{account}", """{"type":"USER"}""")).StatusCode);
        Assert.True((await api.SendAsync("POST", $"/accounts/{account}/identities",
            $$"""{"identity":"{{account}}","authtype":"USERPASS","password":"pw-{{account}}"}""")).IsSuccessStatusCode);
        var token = await api.TokenAsync(account, "pw-" + account);
        // Used twice, so the server has it cached.
        for (var i = 0; i < 2; i++) Assert.Equal(200, await Status("/scopes", token));
        return token;
    }

    private async Task<int> Status(string path, string token)
    {
        using var resp = await fixture.Api.SendAsync("GET", path, token: token);
        return (int)resp.StatusCode;
    }

    /// <summary>Runs SQL on the catalogue as another process would; the change is committed when this returns.</summary>
    private async Task BehindTheServer(string sql)
    {
        await using var db = CatalogConnection.Open(fixture.Server);
        await using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        Assert.True(await cmd.ExecuteNonQueryAsync() > 0, sql);
    }

    /// <summary>Polls until the path answers <paramref name="status"/>; fails when that takes longer than the limit.</summary>
    private async Task<TimeSpan> Until(string path, string token, int status)
    {
        var started = Stopwatch.StartNew();
        while (await Status(path, token) != status)
        {
            Assert.True(started.Elapsed < Limit + TimeSpan.FromMilliseconds(250), $"{path} did not answer {status} within {Limit.TotalSeconds} s");
            await Task.Delay(20);
        }
        return started.Elapsed;
    }

    private static string Key(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    [Fact]
    public async Task A_session_deleted_by_another_process_is_refused_within_a_second_though_it_was_cached()
    {
        var token = await UserTokenAsync("cache_other");
        await BehindTheServer($"DELETE FROM tokens WHERE token = '{Key(token)}'");
        Assert.True(await Until("/scopes", token, 401) < Limit);
        using var resp = await fixture.Api.SendAsync("GET", "/scopes", token: token);
        await RawApi.AssertError(resp, 401, "CannotAuthenticate");
    }

    [Fact]
    public async Task A_revoked_token_or_a_suspended_account_is_refused_at_the_next_request()
    {
        var revoked = await UserTokenAsync("cache_revoke");
        using (var r = await fixture.Api.SendAsync("POST", "/ferry/tokens/revoke", $$"""{"token":"{{revoked}}"}""", revoked)) Assert.Equal(200, (int)r.StatusCode);
        Assert.Equal(401, await Status("/scopes", revoked));

        var suspended = await UserTokenAsync("cache_suspend");
        using (var r = await fixture.Api.SendAsync("PUT", "/accounts/cache_suspend", """{"status":"SUSPENDED"}""")) Assert.Equal(200, (int)r.StatusCode);
        Assert.Equal(401, await Status("/scopes", suspended));
    }

    [Fact]
    public async Task A_token_is_refused_from_its_expiry_on_though_it_was_cached()
    {
        var token = await UserTokenAsync("cache_expiry");
        var expiry = DateTimeOffset.UtcNow.AddSeconds(3);
        await BehindTheServer($"UPDATE tokens SET expires_at = {expiry.ToUnixTimeMilliseconds()} WHERE token = '{Key(token)}'");
        // Past the recheck the server has the new expiry in its cache. Each answer is judged by when the request was
        // sent (t0) and answered (t1): 200 only for one sent before the expiry, 401 only for one answered after it.
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        var answeredBefore = 0;
        while (true)
        {
            var t0 = DateTimeOffset.UtcNow;
            var status = await Status("/scopes", token);
            var t1 = DateTimeOffset.UtcNow;
            if (status == 401)
            {
                Assert.True(t1 >= expiry, $"refused {(expiry - t1).TotalMilliseconds:F0} ms before its expiry");
                break;
            }
            Assert.Equal(200, status);
            Assert.True(t0 < expiry, $"accepted a request sent {(t0 - expiry).TotalMilliseconds:F0} ms after its expiry");
            if (t1 < expiry) answeredBefore++;
            await Task.Delay(20);
        }
        Assert.True(answeredBefore > 0, "the cached token never worked before its expiry");
    }

    [Fact]
    public async Task Admin_rights_given_or_taken_apply_at_once_through_the_server_and_within_a_second_behind_it()
    {
        var token = await UserTokenAsync("cache_admin");
        const string adminOnly = "/ferry/audit?limit=1";
        Assert.Equal(401, await Status(adminOnly, token));

        // Through the API: the next request sees it.
        using (var r = await fixture.Api.SendAsync("POST", "/accounts/cache_admin/attr/admin", """{"value":"true"}""")) Assert.Equal(201, (int)r.StatusCode);
        Assert.Equal(200, await Status(adminOnly, token));
        using (var r = await fixture.Api.SendAsync("DELETE", "/accounts/cache_admin/attr/admin")) Assert.Equal(200, (int)r.StatusCode);
        Assert.Equal(401, await Status(adminOnly, token));

        // Behind the server: within a second.
        await BehindTheServer("INSERT INTO account_attrs(account, key, value) VALUES ('cache_admin', 'admin', 'true')");
        Assert.True(await Until(adminOnly, token, 200) < Limit);
        await BehindTheServer("DELETE FROM account_attrs WHERE account = 'cache_admin' AND key = 'admin'");
        Assert.True(await Until(adminOnly, token, 401) < Limit);
    }
}
