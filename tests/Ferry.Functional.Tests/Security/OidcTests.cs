using System.Security.Cryptography;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Security;

/// <summary>OIDC access tokens from the configured issuer, signed by a key the test holds, sent as X-Rucio-Auth-Token or Bearer.</summary>
public sealed class OidcTests(SecureServerFixture f) : IClassFixture<SecureServerFixture>
{
    private async Task MapSubject(string account, string sub)
    {
        await f.Api.SendAsync("POST", $"/accounts/{account}", """{"type":"USER"}""");
        await Infrastructure.Cli.OkAsync(f.Server, "account", "identity", "add", account, "--type", "OIDC", "--identity", Jwts.Identity(sub));
    }

    private async Task<HttpResponseMessage> Whoami(string token, bool bearer = false, string path = "/accounts/whoami")
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(f.Server.Url) };
        using var req = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer) req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        else req.Headers.Add("X-Rucio-Auth-Token", token);
        return await http.SendAsync(req);
    }

    [Fact]
    public async Task Validate_takes_a_token_of_the_issuer_in_either_header_and_names_its_account()
    {
        await MapSubject("vera", "vera-sub-1");
        var token = f.Oidc.Token("vera-sub-1");
        foreach (var bearer in new[] { false, true })
        {
            using var ok = await Whoami(token, bearer, "/auth/validate");
            var text = await ok.Content.ReadAsStringAsync();
            Assert.True(200 == (int)ok.StatusCode, $"bearer={bearer}: {text}");
            Assert.Contains("'account': 'vera'", text);
        }
        using var unmapped = await Whoami(f.Oidc.Token("nobody-sub"), bearer: true, path: "/auth/validate");
        await RawApi.AssertError(unmapped, 401, "CannotAuthenticate");
    }

    [Fact]
    public async Task A_token_of_the_issuer_authenticates_as_the_account_its_subject_maps_to()
    {
        await MapSubject("olga", "olga-sub-1");
        var token = f.Oidc.Token("olga-sub-1");
        using var who = await Whoami(token);
        Assert.Equal(303, (int)who.StatusCode);
        Assert.Equal("olga", who.Headers.Location!.ToString());
        using var bearer = await Whoami(token, bearer: true);
        Assert.Equal("olga", bearer.Headers.Location!.ToString());
        // It also writes: olga's own scope.
        using var scope = await f.Api.SendAsync("POST", "/accounts/olga/scopes/user.olga", token: token);
        Assert.Equal(201, (int)scope.StatusCode);
        Assert.DoesNotContain(token, f.Server.Log);
        Assert.DoesNotContain(token.Split('.')[2], f.Server.Log);
    }

    [Fact]
    public async Task Expired_wrong_audience_wrong_issuer_wrong_signature_unmapped_and_revoked_tokens_are_refused()
    {
        await MapSubject("oscar", "oscar-sub");
        async Task Refused(string token, string why)
        {
            using var resp = await Whoami(token);
            Assert.Contains(why, await RawApi.AssertError(resp, 401, "CannotAuthenticate"));
        }
        await Refused(f.Oidc.Token("oscar-sub", expiresIn: TimeSpan.FromMinutes(-5)), "expired");
        await Refused(f.Oidc.Token("oscar-sub", audience: "someone-else"), "audience");
        await Refused(f.Oidc.Token("oscar-sub", issuer: "https://evil.example.org/"), "not issued by");
        using (var other = RSA.Create(2048)) await Refused(f.Oidc.Token("oscar-sub", signWith: other), "signature");
        await Refused(f.Oidc.Token("nobody-sub"), "no account has the identity SUB=nobody-sub");
        var tampered = f.Oidc.Token("oscar-sub").Split('.');
        await Refused(tampered[0] + "." + f.Oidc.Token("olga-sub-1").Split('.')[1] + "." + tampered[2], "signature");

        // Revocation: the owner revokes its token; it stops working, another one still works.
        var token = f.Oidc.Token("oscar-sub");
        using (var ok = await Whoami(token)) Assert.Equal(303, (int)ok.StatusCode);
        using (var revoke = await f.Api.SendAsync("POST", "/ferry/tokens/revoke", $$"""{"token":"{{token}}"}""", token: token))
            Assert.Equal(200, (int)revoke.StatusCode);
        await Refused(token, "revoked");
        using (var fresh = await Whoami(f.Oidc.Token("oscar-sub")))
            Assert.Equal(303, (int)fresh.StatusCode);
    }

    [Fact]
    public async Task Userpass_tokens_can_be_revoked_and_no_password_or_token_reaches_the_server_log()
    {
        const string password = "s3cret-Passw0rd-in-test";
        await f.Api.SendAsync("POST", "/accounts/ulla", """{"type":"USER"}""");
        await f.Api.SendAsync("POST", "/accounts/ulla/identities", $$"""{"identity":"ulla","authtype":"USERPASS","password":"{{password}}"}""");
        var token = await f.Api.TokenAsync("ulla", password);
        using (var bad = await f.Api.SendAsync("GET", "/accounts/whoami", token: "ulla-ulla-ferry-0000")) await RawApi.AssertError(bad, 401, "CannotAuthenticate");
        using (var revoke = await f.Api.SendAsync("POST", "/ferry/tokens/revoke", $$"""{"token":"{{token}}"}""", token: token)) Assert.Equal(200, (int)revoke.StatusCode);
        using (var after = await f.Api.SendAsync("GET", "/accounts/whoami", token: token)) await RawApi.AssertError(after, 401, "CannotAuthenticate");
        // A wrong password is logged as a failure of the identity, never with what was typed.
        using (var req = new HttpRequestMessage(HttpMethod.Get, f.Server.Url + "/auth/userpass"))
        using (var http = new HttpClient())
        {
            req.Headers.Add("X-Rucio-Username", "ulla");
            req.Headers.Add("X-Rucio-Password", password + "-wrong");
            using var resp = await http.SendAsync(req);
            Assert.Equal(401, (int)resp.StatusCode);
        }
        await Task.Delay(200);
        Assert.Contains("Failed USERPASS login for ulla", f.Server.Log);
        Assert.DoesNotContain(password, f.Server.Log);
        Assert.DoesNotContain(token, f.Server.Log);
        Assert.DoesNotContain(FerryServer.RootPassword, f.Server.Log);
        // Nor the audit log.
        var audit = await f.Api.StreamAsync("GET", "/ferry/audit?limit=10000");
        var all = string.Join('\n', audit.Select(a => a.GetRawText()));
        Assert.DoesNotContain(password, all);
        Assert.DoesNotContain(token, all);
    }
}
