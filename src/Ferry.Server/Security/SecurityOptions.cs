using System.Globalization;
using Ferry.Core.Configuration;
using Ferry.Core.Errors;

namespace Ferry.Server.Security;

/// <summary>
/// How the server authenticates: the optional HTTPS listener with client certificates, the OIDC issuer whose tokens it
/// accepts, and the limits on login attempts. Read from the environment (FERRY_TLS_*, FERRY_OIDC_*, FERRY_AUTH_*);
/// paths only, never secrets, so nothing sensitive reaches argv.
/// </summary>
public sealed record SecurityOptions
{
    /// <summary>IP:PORT of the HTTPS listener (--tls-listen or FERRY_TLS_LISTEN); null: plain HTTP only.</summary>
    public string? TlsListen { get; init; }
    public string? TlsCert { get; init; }
    public string? TlsKey { get; init; }
    /// <summary>PEM bundle or directory (e.g. /etc/grid-security/certificates) of the CAs trusted for client certificates.</summary>
    public string? TlsCa { get; init; }
    /// <summary>PEM/DER CRL file or directory; with a CA directory its *.r0 and *.crl files are read too.</summary>
    public string? TlsCrl { get; init; }

    public string? OidcIssuer { get; init; }
    public string? OidcAudience { get; init; }
    /// <summary>A JWKS file (the issuer's keys) or a PEM public key file.</summary>
    public string? OidcKeys { get; init; }
    public TimeSpan OidcClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests per client address per window on /auth/* (FERRY_AUTH_RATE_LIMIT, default "120/10s": the CLI logs in once per command, so scripts make many logins).</summary>
    public int AuthRatePermits { get; init; } = 120;
    public TimeSpan AuthRateWindow { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Failed logins of one identity within <see cref="LockoutWindow"/> that lock it (FERRY_AUTH_LOCKOUT, e.g. "5/15m").</summary>
    public int LockoutFailures { get; init; } = 5;
    public TimeSpan LockoutWindow { get; init; } = TimeSpan.FromMinutes(15);

    public bool OidcEnabled => OidcIssuer is not null;

    public static SecurityOptions FromEnvironment(string? tlsListen = null, Func<string, string?>? env = null)
    {
        env ??= FerryEnvironment.Process.Get;
        string? Get(string k) => env(k) is { Length: > 0 } v ? v : null;
        var (permits, window) = ParseRate(Get("FERRY_AUTH_RATE_LIMIT") ?? "120/10s", "FERRY_AUTH_RATE_LIMIT");
        var (failures, lockWindow) = ParseRate(Get("FERRY_AUTH_LOCKOUT") ?? "5/15m", "FERRY_AUTH_LOCKOUT");
        var o = new SecurityOptions
        {
            TlsListen = tlsListen ?? Get("FERRY_TLS_LISTEN"),
            TlsCert = Get("FERRY_TLS_CERT"), TlsKey = Get("FERRY_TLS_KEY"), TlsCa = Get("FERRY_TLS_CA"), TlsCrl = Get("FERRY_TLS_CRL"),
            OidcIssuer = Get("FERRY_OIDC_ISSUER"), OidcAudience = Get("FERRY_OIDC_AUDIENCE"), OidcKeys = Get("FERRY_OIDC_KEYS"),
            OidcClockSkew = Get("FERRY_OIDC_CLOCK_SKEW") is { } skew ? ParseDuration(skew, "FERRY_OIDC_CLOCK_SKEW") : TimeSpan.FromSeconds(30),
            AuthRatePermits = permits, AuthRateWindow = window, LockoutFailures = failures, LockoutWindow = lockWindow,
        };
        o.Validate();
        return o;
    }

    /// <summary>Refuses a half-made configuration at start rather than at the first login.</summary>
    public void Validate()
    {
        if (TlsListen is not null && (TlsCert is null || TlsKey is null))
            throw FerryException.Invalid("--tls-listen needs FERRY_TLS_CERT and FERRY_TLS_KEY (PEM files of the server certificate and its key)");
        foreach (var (name, path) in new[] { ("FERRY_TLS_CERT", TlsCert), ("FERRY_TLS_KEY", TlsKey), ("FERRY_OIDC_KEYS", OidcKeys) })
            if (path is not null && !File.Exists(path)) throw FerryException.Invalid($"{name}: no such file {path}");
        foreach (var (name, path) in new[] { ("FERRY_TLS_CA", TlsCa), ("FERRY_TLS_CRL", TlsCrl) })
            if (path is not null && !File.Exists(path) && !Directory.Exists(path)) throw FerryException.Invalid($"{name}: no such file or directory {path}");
        if (OidcIssuer is not null && (OidcAudience is null || OidcKeys is null))
            throw FerryException.Invalid("FERRY_OIDC_ISSUER needs FERRY_OIDC_AUDIENCE and FERRY_OIDC_KEYS (a JWKS or PEM public key file)");
    }

    /// <summary>"N/DURATION", e.g. 30/60s, 5/15m.</summary>
    public static (int Count, TimeSpan Window) ParseRate(string text, string what)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            throw FerryException.Invalid($"{what} takes COUNT/DURATION, e.g. 5/15m; got '{text}'");
        return (n, ParseDuration(parts[1], what));
    }

    private static TimeSpan ParseDuration(string text, string what)
    {
        (string Digits, double Ms) split = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1)
            : text.EndsWith('s') ? (text[..^1], 1000) : text.EndsWith('m') ? (text[..^1], 60_000) : text.EndsWith('h') ? (text[..^1], 3_600_000)
            : (text, 1000);
        if (!double.TryParse(split.Digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v <= 0 || double.IsInfinity(v))
            throw FerryException.Invalid($"{what}: '{text}' is not a duration such as 500ms, 30s, 15m or 1h");
        return TimeSpan.FromMilliseconds(v * split.Ms);
    }
}
