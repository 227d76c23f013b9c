using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ferry.Functional.Tests.Security;

/// <summary>A local OIDC "issuer" for tests: an RSA key published as a JWKS file, and RS256 tokens signed with it by hand.</summary>
public sealed class Jwts
{
    public const string Issuer = "https://iam.ferrytest.org/";
    public const string Audience = "ferry";
    private readonly RSA _key = RSA.Create(2048);
    private readonly string _kid = Guid.NewGuid().ToString("N")[..12];

    public void WriteJwks(string path)
    {
        var p = _key.ExportParameters(false);
        var jwks = new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = _kid, n = B64(p.Modulus!), e = B64(p.Exponent!) } } };
        File.WriteAllText(path, JsonSerializer.Serialize(jwks));
    }

    public static string Identity(string sub) => $"SUB={sub}, ISS={Issuer}";

    /// <summary>A token for <paramref name="sub"/>; the defaults make a valid one, each argument spoils one part.</summary>
    public string Token(string sub, TimeSpan? expiresIn = null, string audience = Audience, string issuer = Issuer, RSA? signWith = null, string? jti = null)
    {
        var now = DateTimeOffset.UtcNow;
        var header = new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = _kid };
        var payload = new Dictionary<string, object>
        {
            ["iss"] = issuer, ["sub"] = sub, ["aud"] = audience, ["iat"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(), ["exp"] = (now + (expiresIn ?? TimeSpan.FromMinutes(30))).ToUnixTimeSeconds(),
            ["jti"] = jti ?? Guid.NewGuid().ToString(), ["scope"] = "openid profile",
        };
        var signingInput = B64(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + B64(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = (signWith ?? _key).SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + B64(signature);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
