using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>The details the official Rucio client depends on: exact content types, status codes, headers, shapes.</summary>
public sealed class WireFormatTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Ping_needs_no_token_and_reports_a_version()
    {
        using var resp = await f.Api.SendAsync("GET", "/ping", auth: false);
        Assert.Equal("application/json", ContentTypes.Of(resp));
        var doc = JsonDocument.Parse(await resp.Content.ReadAsStringAsync());
        Assert.StartsWith("41.", doc.RootElement.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Userpass_returns_token_expiry_and_account_headers()
    {
        using var api = new RawApi(f.Server);
        using var resp = await api.SendAsync("GET", "/auth/userpass", auth: false);
        await RawApi.AssertError(resp, 401, "CannotAuthenticate");

        var http = new HttpClient();
        var req = new HttpRequestMessage(HttpMethod.Get, f.Server.Url + "/auth/userpass");
        req.Headers.Add("X-Rucio-Username", "root");
        req.Headers.Add("X-Rucio-Password", FerryServer.RootPassword);
        using var ok = await http.SendAsync(req);
        Assert.Equal(200, (int)ok.StatusCode);
        Assert.Equal("root", ok.Headers.GetValues("X-Rucio-Auth-Account").Single());
        var expires = ok.Headers.GetValues("X-Rucio-Auth-Token-Expires").Single();
        Assert.Matches(@"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} UTC$", expires);
    }

    [Fact]
    public async Task Wrong_password_is_401_CannotAuthenticate()
    {
        var http = new HttpClient();
        var req = new HttpRequestMessage(HttpMethod.Get, f.Server.Url + "/auth/userpass");
        req.Headers.Add("X-Rucio-Username", "root");
        req.Headers.Add("X-Rucio-Password", "wrong");
        using var resp = await http.SendAsync(req);
        await RawApi.AssertError(resp, 401, "CannotAuthenticate");
    }

    [Fact]
    public async Task Missing_token_is_400_ValueError_and_bad_token_is_401()
    {
        using var none = await f.Api.SendAsync("GET", "/rses/", auth: false);
        Assert.Contains("Token must be set", await RawApi.AssertError(none, 400, "ValueError"));
        using var bad = await f.Api.SendAsync("GET", "/rses/", token: "root-root-nope-0000");
        await RawApi.AssertError(bad, 401, "CannotAuthenticate");
    }

    /// <summary>
    /// Rucio (41, on 127.0.0.1:18080) answers a missing token with 400 ValueError and an unknown one with
    /// CannotAuthenticate (as a 500, its bug; Ferry answers 401). Ferry also takes the token as "Authorization: Bearer",
    /// as on every other endpoint, so a bad one there is the same 401, not "Token must be set".
    /// </summary>
    [Fact]
    public async Task Validate_answers_a_missing_token_400_and_a_bad_one_401_in_either_header()
    {
        async Task<HttpResponseMessage> Validate(string? rucioHeader, string? bearer)
        {
            using var http = new HttpClient { BaseAddress = new Uri(f.Server.Url) };
            using var req = new HttpRequestMessage(HttpMethod.Get, "/auth/validate");
            if (rucioHeader is not null) req.Headers.Add("X-Rucio-Auth-Token", rucioHeader);
            if (bearer is not null) req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            return await http.SendAsync(req);
        }

        using (var none = await Validate(null, null))
            Assert.Contains("Token must be set", await RawApi.AssertError(none, 400, "ValueError"));
        using (var bad = await Validate("root-root-nope-0000", null))
            await RawApi.AssertError(bad, 401, "CannotAuthenticate");
        using (var badBearer = await Validate(null, "root-root-nope-0000"))
            await RawApi.AssertError(badBearer, 401, "CannotAuthenticate");

        var token = await f.Api.TokenAsync();
        foreach (var (header, bearer) in new[] { (token, (string?)null), (null, token) })
        {
            using var ok = await Validate(header, bearer);
            var text = await ok.Content.ReadAsStringAsync();
            Assert.True(200 == (int)ok.StatusCode, text);
            Assert.Contains("'account': 'root'", text);
        }
    }

    [Fact]
    public async Task Whoami_redirects_to_the_account()
    {
        using var resp = await f.Api.SendAsync("GET", "/accounts/whoami");
        Assert.Equal(303, (int)resp.StatusCode);
        Assert.Equal("root", resp.Headers.Location?.ToString());
        var account = await f.Api.JsonAsync("GET", "/accounts/root");
        Assert.Equal("SERVICE", account.GetProperty("account_type").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", account.GetProperty("created_at").GetString());
    }

    [Fact]
    public async Task Both_slash_spellings_answer_and_streams_have_the_exact_type()
    {
        var a = await f.Api.StreamAsync("GET", "/rses/");
        var b = await f.Api.StreamAsync("GET", "/rses");
        Assert.Equal(a.Count, b.Count);
        Assert.Contains(a, r => r.GetProperty("rse").GetString() == "LOCAL");
        using var scopes = await f.Api.SendAsync("GET", "/scopes/");
        Assert.Equal("application/json", ContentTypes.Of(scopes));
    }

    [Fact]
    public async Task Rse_get_carries_protocols_with_priorities_and_the_hash_algorithm()
    {
        var rse = await f.Api.JsonAsync("GET", "/rses/LOCAL");
        Assert.Equal("hash", rse.GetProperty("lfn2pfn_algorithm").GetString());
        Assert.Equal(7, rse.GetProperty("availability").GetInt32());
        var p = rse.GetProperty("protocols")[0];
        Assert.Equal("file", p.GetProperty("scheme").GetString());
        Assert.Equal(1, p.GetProperty("domains").GetProperty("wan").GetProperty("write").GetInt32());
        Assert.Equal("rucio.rse.protocols.posix.Default", p.GetProperty("impl").GetString());
        var attrs = await f.Api.JsonAsync("GET", "/rses/LOCAL/attr/");
        Assert.True(attrs.GetProperty("LOCAL").GetBoolean());
    }

    [Fact]
    public async Task Rules_are_created_with_201_and_a_list_of_ids_and_read_back_with_every_key()
    {
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/dids/user.root/wire_ds", """{"type":"DATASET"}""")).StatusCode);
        using var resp = await f.Api.SendAsync("POST", "/rules/",
            """{"dids":[{"scope":"user.root","name":"wire_ds"}],"copies":1,"rse_expression":"LOCAL","account":null,"weight":null,"lifetime":3600,"grouping":"DATASET","locked":false,"source_replica_expression":null,"activity":null,"notify":"N","purge_replicas":false,"ignore_availability":false,"comment":"c","ask_approval":false,"asynchronous":false,"delay_injection":null,"priority":3,"split_container":false,"meta":null}""");
        Assert.Equal(201, (int)resp.StatusCode);
        var ids = JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement;
        var id = ids[0].GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        var rule = await f.Api.JsonAsync("GET", $"/rules/{id}");
        foreach (var key in new[] { "id", "account", "scope", "name", "did_type", "state", "rse_expression", "copies", "expires_at", "locked",
                     "locks_ok_cnt", "locks_replicating_cnt", "locks_stuck_cnt", "grouping", "notification", "purge_replicas", "comments", "created_at" })
            Assert.True(rule.TryGetProperty(key, out _), $"rule lacks {key}");
        Assert.Equal("OK", rule.GetProperty("state").GetString());
        Assert.EndsWith(" UTC", rule.GetProperty("expires_at").GetString());
        var forDid = await f.Api.StreamAsync("GET", "/dids/user.root/wire_ds/rules");
        Assert.Single(forDid);
    }

    [Fact]
    public async Task Did_names_with_slashes_arrive_encoded_and_are_found()
    {
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/dids/user.root/run%2Fa%2Fds", """{"type":"DATASET"}""")).StatusCode);
        var did = await f.Api.JsonAsync("GET", "/dids/user.root/run%2Fa%2Fds");
        Assert.Equal("run/a/ds", did.GetProperty("name").GetString());
        var content = await f.Api.StreamAsync("GET", "/dids/user.root/run%2Fa%2Fds/dids");
        Assert.Empty(content);
        var meta = await f.Api.JsonAsync("GET", "/dids/user.root/run%2Fa%2Fds/meta");
        Assert.Equal("DATASET", meta.GetProperty("did_type").GetString());
    }

    [Fact]
    public async Task Traces_are_accepted_without_a_token()
    {
        using var resp = await f.Api.SendAsync("POST", "/traces/", """{"eventType":"download"}""", auth: false);
        Assert.Equal(201, (int)resp.StatusCode);
    }

    [Fact]
    public async Task Openapi_document_and_health_are_served()
    {
        using var doc = await f.Api.SendAsync("GET", "/openapi/v1.json", auth: false);
        Assert.Equal(200, (int)doc.StatusCode);
        Assert.Contains("/rules", await doc.Content.ReadAsStringAsync());
        using var health = await f.Api.SendAsync("GET", "/health", auth: false);
        Assert.Equal(200, (int)health.StatusCode);
    }
}
