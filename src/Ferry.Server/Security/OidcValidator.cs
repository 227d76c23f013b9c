using System.Security.Cryptography;
using System.Text;
using Ferry.Catalog.Accounts;
using Ferry.Core.Errors;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ferry.Server.Security;

/// <summary>A bearer token that passed every check, and the account it acts for.</summary>
public sealed record BearerIdentity(string Account, string Identity, string Subject, string? Jti, DateTimeOffset ExpiresAt);

/// <summary>
/// OIDC access tokens (JWTs) from the one configured issuer: signature with the issuer's keys (JWKS or PEM file;
/// asymmetric algorithms only), issuer, audience, expiry and not-before against the server's clock (with a small skew),
/// then Ferry's revocation list. The subject maps to accounts through identities of type OIDC, spelled as Rucio does:
/// <c>SUB=&lt;sub&gt;, ISS=&lt;issuer&gt;</c>.
/// </summary>
public sealed class OidcValidator(SecurityOptions options, IdentityCatalog identities, TimeProvider clock)
{
    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly Lock _gate = new();
    private (DateTime Stamp, IReadOnlyList<SecurityKey> Keys)? _keys;

    /// <summary>Three base64url parts separated by dots: what Rucio also takes as a JWT in X-Rucio-Auth-Token.</summary>
    /// <remarks>A JWT's header is base64url JSON, so it starts "eyJ"; opaque tokens (account-identity-ferry-hex) may hold dots but never that.</remarks>
    public static bool LooksLikeJwt(string token) =>
        token.StartsWith("eyJ", StringComparison.Ordinal) && token.Count(c => c == '.') == 2
        && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public async Task<BearerIdentity> ValidateAsync(string token, string? wantedAccount)
    {
        if (!options.OidcEnabled) throw Refused("this server accepts no OIDC tokens (FERRY_OIDC_ISSUER is not set)");
        var jwt = await VerifySignatureAsync(token);
        var now = clock.GetUtcNow();
        if (!jwt.TryGetPayloadValue<long>("exp", out var exp)) throw Refused("the token has no expiry (exp)");
        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expires + options.OidcClockSkew < now) throw Refused($"the token expired at {expires:u}");
        if (jwt.TryGetPayloadValue<long>("nbf", out var nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf) - options.OidcClockSkew > now)
            throw Refused($"the token is not valid before {DateTimeOffset.FromUnixTimeSeconds(nbf):u}");
        var jti = jwt.TryGetPayloadValue<string>("jti", out var j) ? j : null;
        if (await identities.IsRevokedAsync(RevocationKey(jwt.Issuer, jti, token))) throw Refused("the token was revoked");
        if (string.IsNullOrEmpty(jwt.Subject)) throw Refused("the token has no subject (sub)");
        var identity = $"SUB={jwt.Subject}, ISS={jwt.Issuer}";
        var accounts = await identities.AccountsForAsync(identity, "OIDC");
        var account = Choose(accounts, wantedAccount, identity);
        return new BearerIdentity(account, identity, jwt.Subject, jti, expires);
    }

    /// <summary>Signature, issuer and audience only (no expiry): what revoking a token needs.</summary>
    public async Task<JsonWebToken> VerifySignatureAsync(string token)
    {
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = options.OidcIssuer, ValidAudience = options.OidcAudience, IssuerSigningKeys = Keys(),
            ValidateIssuer = true, ValidateAudience = true, ValidateIssuerSigningKey = true, RequireSignedTokens = true,
            ValidateLifetime = false, RequireExpirationTime = false, ValidAlgorithms = Algorithms, TryAllIssuerSigningKeys = true,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
            throw Refused(result.Exception switch
            {
                SecurityTokenInvalidAudienceException => $"the token is not meant for this server (audience must be {options.OidcAudience})",
                SecurityTokenInvalidIssuerException => $"the token was not issued by {options.OidcIssuer}",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature does not verify with the issuer's keys",
                SecurityTokenInvalidAlgorithmException => "the token is signed with an algorithm this server does not accept",
                SecurityTokenMalformedException => "the token is not a well-formed JWT",
                _ => "the token is not valid",
            });
        return (JsonWebToken)result.SecurityToken;
    }

    public static string RevocationKey(string issuer, string? jti, string token) =>
        jti is { Length: > 0 } ? $"jti:{issuer}:{jti}" : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The account an identity acts for: the one asked for (if mapped), or its only one.</summary>
    public static string Choose(IReadOnlyList<string> accounts, string? wanted, string identity)
    {
        if (accounts.Count == 0) throw Refused($"no account has the identity {identity}");
        if (wanted is { Length: > 0 })
            return accounts.Contains(wanted) ? wanted : throw Refused($"the identity {identity} is not mapped to account {wanted}");
        return accounts.Count == 1 ? accounts[0]
            : throw Refused($"the identity {identity} maps to several accounts ({string.Join(", ", accounts)}); send X-Rucio-Account");
    }

    private IReadOnlyList<SecurityKey> Keys()
    {
        var path = options.OidcKeys!;
        var stamp = File.GetLastWriteTimeUtc(path);
        lock (_gate)
        {
            if (_keys is { } k && k.Stamp == stamp) return k.Keys;
            var text = File.ReadAllText(path);
            IReadOnlyList<SecurityKey> keys = text.TrimStart().StartsWith('{') ? new JsonWebKeySet(text).GetSigningKeys().ToList() : PemKeys(text);
            if (keys.Count == 0) throw new FerryException("ConfigurationError", 500, $"FERRY_OIDC_KEYS ({path}) holds no signing key");
            _keys = (stamp, keys);
            return keys;
        }
    }

    private static List<SecurityKey> PemKeys(string pem)
    {
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return [new RsaSecurityKey(rsa)];
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return [new ECDsaSecurityKey(ec)];
        }
    }

    private static FerryException Refused(string why) => new("CannotAuthenticate", 401, $"Cannot authenticate with given credentials: {why}");
}
