using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Security;

/// <summary>Lockout after repeated failed logins, the rate limit on /auth/*, and the audit log of writes and logins.</summary>
public sealed class AuthLimitTests
{
    private static async Task<HttpResponseMessage> Login(FerryServer server, string user, string password)
    {
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Get, server.Url + "/auth/userpass");
        req.Headers.Add("X-Rucio-Username", user);
        req.Headers.Add("X-Rucio-Password", password);
        return await http.SendAsync(req);
    }

    [Fact]
    public async Task An_identity_is_locked_after_N_failures_within_the_window_and_the_audit_log_shows_who_did_what()
    {
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string>
            { ["FERRY_AUTH_LOCKOUT"] = "3/4s", ["FERRY_AUTH_RATE_LIMIT"] = "1000/1s" });
        using var api = new RawApi(server);
        await api.SendAsync("POST", "/accounts/ulf", """{"type":"USER"}""");
        await api.SendAsync("POST", "/accounts/ulf/identities", """{"identity":"ulf","authtype":"USERPASS","password":"right-one"}""");
        var started = DateTimeOffset.UtcNow;

        for (var i = 0; i < 3; i++)
            using (var wrong = await Login(server, "ulf", "wrong-" + i)) Assert.Contains("with given credentials", await RawApi.AssertError(wrong, 401, "CannotAuthenticate"));
        using (var locked = await Login(server, "ulf", "right-one"))
        {
            var message = await RawApi.AssertError(locked, 401, "CannotAuthenticate");
            Assert.Contains("identity ulf is locked after 3 failed logins within 4 s; try again after", message);
        }
        // Another identity is not affected.
        using (var root = await Login(server, "root", FerryServer.RootPassword)) Assert.Equal(200, (int)root.StatusCode);
        // The window passes: the right password works again, and the count starts afresh.
        await Task.Delay(4500);
        using (var ok = await Login(server, "ulf", "right-one")) Assert.Equal(200, (int)ok.StatusCode);
        using (var wrong = await Login(server, "ulf", "wrong-again")) Assert.Equal(401, (int)wrong.StatusCode);
        using (var ok = await Login(server, "ulf", "right-one")) Assert.Equal(200, (int)ok.StatusCode);

        // Writes are audited, refused ones too, with who, route, target, status and address.
        await api.SendAsync("POST", "/dids/user.root/audited_ds", """{"type":"DATASET"}""");
        var ulf = await api.TokenAsync("ulf", "right-one");
        using (var refused = await api.SendAsync("POST", "/dids/user.root/not_yours", """{"type":"DATASET"}""", ulf)) Assert.Equal(401, (int)refused.StatusCode);
        var entries = await api.StreamAsync("GET", $"/ferry/audit?since={started.ToUnixTimeSeconds()}&limit=1000");
        Assert.Contains(entries, e => e.GetProperty("account").GetString() == "root" && e.GetProperty("method").GetString() == "POST"
            && e.GetProperty("target").GetString() == "rest=user.root/audited_ds" && e.GetProperty("status").GetInt32() == 201
            && e.GetProperty("remote").GetString() == "127.0.0.1" && e.GetProperty("route").GetString() == "/dids/{**rest}");
        Assert.Contains(entries, e => e.GetProperty("account").GetString() == "ulf" && e.GetProperty("path").GetString() == "/dids/user.root/not_yours"
            && e.GetProperty("status").GetInt32() == 401);
        Assert.Equal(5, entries.Count(e => e.GetProperty("identity").GetString() == "ulf" && e.GetProperty("route").GetString() == "/auth/userpass"
            && e.GetProperty("status").GetInt32() == 401));
        Assert.DoesNotContain(entries, e => e.GetRawText().Contains("right-one", StringComparison.Ordinal) || e.GetRawText().Contains("wrong-", StringComparison.Ordinal));
        var onlyRoot = await api.StreamAsync("GET", $"/ferry/audit?account=root&since={started.ToUnixTimeSeconds()}");
        Assert.All(onlyRoot, e => Assert.Equal("root", e.GetProperty("account").GetString()));

        // Only admins read it; the CLI shows it.
        using (var denied = await api.SendAsync("GET", "/ferry/audit", token: ulf)) await RawApi.AssertError(denied, 401, "AccessDenied");
        var cli = await Infrastructure.Cli.OkAsync(server, "audit", "list", "--account", "root", "--limit", "50");
        Assert.Contains("/dids/user.root/audited_ds", cli);
        using (var bad = await api.SendAsync("GET", "/ferry/audit?since=yesterday")) await RawApi.AssertError(bad, 400, "InvalidObject");
    }

    [Fact]
    public async Task Authentication_requests_beyond_the_rate_limit_get_429_with_Retry_After_and_pass_again_after_the_window()
    {
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_AUTH_RATE_LIMIT"] = "5/3s" });
        var statuses = new List<int>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 9; i++)
        {
            var resp = await Login(server, "root", FerryServer.RootPassword);
            statuses.Add((int)resp.StatusCode);
            if ((int)resp.StatusCode == 429) limited ??= resp; else resp.Dispose();
        }
        Assert.True(statuses.Count(s => s == 200) <= 5, string.Join(",", statuses));
        Assert.NotNull(limited);
        Assert.Contains("at most 5 per 3 s", await RawApi.AssertError(limited!, 429, "TooManyRequests"));
        Assert.True(limited!.Headers.RetryAfter is not null);
        limited.Dispose();
        // Other endpoints are not limited.
        using (var http = new HttpClient()) Assert.True((await http.GetAsync(server.Url + "/ping")).IsSuccessStatusCode);
        await Task.Delay(3500);
        using var again = await Login(server, "root", FerryServer.RootPassword);
        Assert.Equal(200, (int)again.StatusCode);
    }
}
