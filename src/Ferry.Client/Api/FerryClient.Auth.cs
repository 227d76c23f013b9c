using System.Globalization;
using System.Text.RegularExpressions;

namespace Ferry.Client.Http;

/// <summary>What the server says about the client's current token.</summary>
public sealed record TokenInfo(string Account, DateTimeOffset? Expires);

public sealed partial class FerryClient
{
    [GeneratedRegex(@"'(?<k>account|lifetime)'\s*:\s*'(?<v>[^']*)'")] private static partial Regex ValidateField();

    /// <summary>
    /// Checks the token with <c>GET /auth/validate</c> (logging in first if needed). The dialect answers with a Python
    /// dict literal, not JSON, so the two fields used are picked out by pattern.
    /// </summary>
    public async Task<TokenInfo> ValidateTokenAsync(CancellationToken ct = default)
    {
        using var resp = await SendAsync(HttpMethod.Get, "auth/validate", ct: ct);
        if (!resp.IsSuccessStatusCode) throw await ErrorFrom(resp);
        var text = await resp.Content.ReadAsStringAsync(ct);
        var fields = ValidateField().Matches(text).ToDictionary(m => m.Groups["k"].Value, m => m.Groups["v"].Value);
        DateTimeOffset? expires = fields.TryGetValue("lifetime", out var l) &&
            DateTimeOffset.TryParse(l, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e) ? e : null;
        return new TokenInfo(fields.GetValueOrDefault("account") ?? Account ?? "?", expires);
    }
}
