using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Security;

/// <summary>Rucio's GET /auth/x509 over Ferry's HTTPS listener: user certificates and proxies map by DN to accounts.</summary>
public sealed class X509Tests(SecureServerFixture f) : IClassFixture<SecureServerFixture>
{
    /// <summary>The DN as OpenSSL prints it (mod_ssl's legacy one-line form, which Rucio stores).</summary>
    private static async Task<string> OpensslDn(string certFile)
    {
        var psi = new ProcessStartInfo("openssl", ["x509", "-noout", "-subject", "-nameopt", "compat", "-in", certFile]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var text = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
        return text.Trim()["subject=".Length..];
    }

    private async Task AddAccountWithDn(string account, string dn)
    {
        await f.Api.SendAsync("POST", $"/accounts/{account}", """{"type":"USER"}""");
        // Through the CLI, as an operator would.
        await Infrastructure.Cli.OkAsync(f.Server, "account", "identity", "add", account, "--type", "X509", "--identity", dn);
    }

    private sealed record CurlAnswer(int Status, Dictionary<string, string> Headers, string Body);

    private async Task<CurlAnswer> Curl(string? cert, string? key, string path = "/auth/x509", string? account = null)
    {
        var args = new List<string> { "-sS", "-i", "--cacert", f.Pki.CaFile };
        if (account is not null) args.AddRange(["-H", $"X-Rucio-Account: {account}"]);
        if (cert is not null) args.AddRange(["--cert", cert, "--key", key!]);
        args.Add(f.TlsUrl + path);
        var psi = new ProcessStartInfo("curl", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"curl failed ({p.ExitCode}): {error}");
        var (head, body) = output.Split("\r\n\r\n", 2) is [var h, var b] ? (h, b) : (output, "");
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(": ", 2)).Where(x => x.Length == 2).ToDictionary(x => x[0].ToLowerInvariant(), x => x[1]);
        return new CurlAnswer(status, headers, body);
    }

    private HttpClient Https(Action<SslClientAuthenticationOptions> client)
    {
        var ssl = new SslClientAuthenticationOptions
        {
            // Trust the test CA only, as curl --cacert does.
            RemoteCertificateValidationCallback = (_, cert, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(f.Pki.Ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return cert is X509Certificate2 c && chain.Build(c);
            },
        };
        client(ssl);
        return new HttpClient(new SocketsHttpHandler { SslOptions = ssl }) { BaseAddress = new Uri(f.TlsUrl) };
    }

    private static X509Certificate2 WithKey(TestPki.Issued issued) => X509Certificate2.CreateFromPemFile(issued.CertFile, issued.KeyFile);

    [Fact]
    public async Task Curl_with_a_user_certificate_gets_a_token_for_the_account_its_DN_maps_to()
    {
        var dn = await OpensslDn(f.Jane.CertFile);
        Assert.Matches("^/(DC=org/DC=ferrytest/OU=Users/CN=Jane Doe|CN=Jane Doe/OU=Users/DC=ferrytest/DC=org)$", dn);
        await AddAccountWithDn("jane", dn);

        var answer = await Curl(f.Jane.CertFile, f.Jane.KeyFile);
        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("jane", answer.Headers["x-rucio-auth-account"]);
        var token = answer.Headers["x-rucio-auth-token"];
        Assert.Contains("UTC", answer.Headers["x-rucio-auth-token-expires"]);
        // The session works on the plain listener too.
        using var who = await f.Api.SendAsync("GET", "/accounts/whoami", token: token);
        Assert.Equal(303, (int)who.StatusCode);
        Assert.Equal("jane", who.Headers.Location!.ToString());
        // The identity is listed, and the DN came from the certificate, not from anything the client said.
        var ids = await f.Api.StreamAsync("GET", "/accounts/jane/identities");
        Assert.Contains(ids, i => i.GetProperty("type").GetString() == "X509" && i.GetProperty("identity").GetString() == dn);
        Assert.DoesNotContain(token, f.Server.Log);
    }

    [Fact]
    public async Task HttpClient_with_the_user_certificate_and_curl_with_a_legacy_proxy_authenticate_an_RFC3820_proxy_is_dropped_by_dotnet()
    {
        var dn = await OpensslDn(f.Paula.CertFile);
        await AddAccountWithDn("paula", dn);
        await AddAccountWithDn("paula2", dn);
        using (var direct = Https(o => o.ClientCertificates = [WithKey(f.Paula)]))
        using (var req = new HttpRequestMessage(HttpMethod.Get, "/auth/x509"))
        {
            req.Headers.Add("X-Rucio-Account", "paula");
            using var resp = await direct.SendAsync(req);
            Assert.True(resp.IsSuccessStatusCode, await resp.Content.ReadAsStringAsync());
            Assert.Equal("paula", resp.Headers.GetValues("X-Rucio-Auth-Account").Single());
        }

        // A legacy Globus proxy (CN=proxy) goes with the user certificate that signed it (curl sends the whole file);
        // the DN is the user's, the proxy's extra CN is not part of it.
        Assert.Equal(dn + "/CN=proxy", await OpensslDn(f.PaulaProxy.CertFile));
        var named = await Curl(f.PaulaProxy.CertFile, f.PaulaProxy.KeyFile, account: "paula");
        Assert.True(named.Status == 200, named.Body);
        Assert.Equal("paula", named.Headers["x-rucio-auth-account"]);
        // Without X-Rucio-Account, an identity of several accounts is refused, as Rucio does.
        var unnamed = await Curl(f.PaulaProxy.CertFile, f.PaulaProxy.KeyFile);
        Assert.Equal(401, unnamed.Status);
        Assert.Contains("several accounts", unnamed.Body);
        // The proxy without the certificate that signed it cannot be verified.
        var alone = Path.Combine(f.Pki.Dir, "proxy-alone.pem");
        File.WriteAllText(alone, f.PaulaProxy.Cert.ExportCertificatePem());
        var bare = await Curl(alone, f.PaulaProxy.KeyFile, account: "paula");
        Assert.Equal(401, bare.Status);
        Assert.Contains("without the certificate that signed it", bare.Body);

        // An RFC 3820 proxy (with proxyCertInfo) never reaches Ferry's checks: .NET's SslStream builds the client chain
        // itself during the handshake and throws on OpenSSL's "proxy certificates not allowed" (error 40), so the
        // connection is dropped. This documents that limit (docs/security.md); it fails when .NET starts accepting them.
        var rfc = await CurlExitCode(f.PaulaRfcProxy.CertFile, f.PaulaRfcProxy.KeyFile);
        Assert.NotEqual(0, rfc);
    }

    private async Task<int> CurlExitCode(string cert, string key)
    {
        var psi = new ProcessStartInfo("curl", ["-sS", "-o", "/dev/null", "--cacert", f.Pki.CaFile, "--cert", cert, "--key", key, f.TlsUrl + "/auth/x509"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return p.ExitCode;
    }

    [Fact]
    public async Task Revoked_expired_untrusted_unmapped_and_missing_certificates_are_refused_with_the_reason()
    {
        await AddAccountWithDn("bob", await OpensslDn(f.Bob.CertFile));
        await AddAccountWithDn("carl", await OpensslDn(f.Carl.CertFile));
        await AddAccountWithDn("eve", await OpensslDn(f.Eve.CertFile));

        var revoked = await Curl(f.Bob.CertFile, f.Bob.KeyFile);
        Assert.Equal(401, revoked.Status);
        Assert.Equal("CannotAuthenticate", revoked.Headers["exceptionclass"]);
        Assert.Contains("was revoked", revoked.Body);

        var expired = await Curl(f.Carl.CertFile, f.Carl.KeyFile);
        Assert.Equal(401, expired.Status);
        Assert.Contains("NotTimeValid", expired.Body);

        var foreign = await Curl(f.Eve.CertFile, f.Eve.KeyFile);
        Assert.Equal(401, foreign.Status);
        Assert.Contains("not trusted", foreign.Body);

        var unmapped = f.Pki.User("nobody", "Nobody Mapped");
        var nobody = await Curl(unmapped.CertFile, unmapped.KeyFile);
        Assert.Equal(401, nobody.Status);
        Assert.Contains("no account has the identity " + await OpensslDn(unmapped.CertFile), nobody.Body);

        var none = await Curl(null, null);
        Assert.Equal(401, none.Status);
        Assert.Contains("no client certificate", none.Body);

        // Over plain HTTP there is no certificate at all.
        using var plain = await f.Api.SendAsync("GET", "/auth/x509", auth: false);
        Assert.Contains("HTTPS listener", await RawApi.AssertError(plain, 401, "CannotAuthenticate"));

        // Removing the identity ends the mapping (and the sessions it opened).
        var jane = f.Pki.User("jane2", "Jane Two");
        await AddAccountWithDn("janetwo", await OpensslDn(jane.CertFile));
        var ok = await Curl(jane.CertFile, jane.KeyFile);
        Assert.Equal(200, ok.Status);
        await Infrastructure.Cli.OkAsync(f.Server, "account", "identity", "remove", "janetwo", "--type", "X509", "--identity", await OpensslDn(jane.CertFile));
        using var after = await f.Api.SendAsync("GET", "/accounts/whoami", token: ok.Headers["x-rucio-auth-token"]);
        await RawApi.AssertError(after, 401, "CannotAuthenticate");
        Assert.Equal(401, (await Curl(jane.CertFile, jane.KeyFile)).Status);
    }
}
