using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Security;

/// <summary>
/// A real `ferry server` with an HTTPS listener trusting the test's CA (and its CRL), and an OIDC issuer whose JWKS
/// is a file. Users: jane (good certificate), paula (with a legacy Globus proxy and an RFC 3820 proxy), bob (revoked), carl (expired), eve (from a CA the server does not trust).
/// </summary>
public sealed class SecureServerFixture : IAsyncLifetime
{
    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;
    public TestPki Pki { get; private set; } = null!;
    public TestPki.Issued Jane { get; private set; } = null!;
    public TestPki.Issued Paula { get; private set; } = null!;
    public TestPki.Issued PaulaProxy { get; private set; } = null!;
    public TestPki.Issued PaulaRfcProxy { get; private set; } = null!;
    public TestPki.Issued Bob { get; private set; } = null!;
    public TestPki.Issued Carl { get; private set; } = null!;
    public TestPki.Issued Eve { get; private set; } = null!;
    public Jwts Oidc { get; } = new();
    public int TlsPort { get; private set; }
    public string TlsUrl => $"https://127.0.0.1:{TlsPort}";

    public async Task InitializeAsync()
    {
        var dir = TempDirs.Create("pki");
        Pki = TestPki.Create(dir);
        Jane = Pki.User("jane", "Jane Doe");
        Paula = Pki.User("paula", "Paula Proxy");
        PaulaProxy = Pki.Proxy("paula-proxy", Paula, Pki.KeyOf(Paula), rfc3820: false);
        PaulaRfcProxy = Pki.Proxy("paula-rfc-proxy", Paula, Pki.KeyOf(Paula));
        Bob = Pki.User("bob", "Bob Revoked");
        Carl = Pki.User("carl", "Carl Expired", notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        Eve = TestPki.Create(Path.Combine(dir, "other"), "Other Grid CA").User("eve", "Eve Elsewhere");
        Pki.WriteCrl(Bob.Cert);
        var jwks = Path.Combine(dir, "jwks.json");
        Oidc.WriteJwks(jwks);
        TlsPort = FerryServer.FreePort();
        Server = await FerryServer.StartAsync(environment: new Dictionary<string, string>
        {
            ["FERRY_TLS_LISTEN"] = $"127.0.0.1:{TlsPort}", ["FERRY_TLS_CERT"] = Pki.ServerCert, ["FERRY_TLS_KEY"] = Pki.ServerKey,
            ["FERRY_TLS_CA"] = Pki.CaFile, ["FERRY_TLS_CRL"] = Pki.CrlFile,
            ["FERRY_OIDC_ISSUER"] = Jwts.Issuer, ["FERRY_OIDC_AUDIENCE"] = Jwts.Audience, ["FERRY_OIDC_KEYS"] = jwks,
        });
        Api = new RawApi(Server);
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }
}
