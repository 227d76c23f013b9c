using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Client.Http;

/// <summary>Identities beyond passwords, and the audit log (issue 16).</summary>
public sealed partial class FerryClient
{
    /// <summary>An X509 (DN) or OIDC ("SUB=..., ISS=...") identity: proven outside Ferry, so no password.</summary>
    public Task AddExternalIdentityAsync(string account, string identity, string type, string? email, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"accounts/{Escape(account)}/identities",
            new JsonObject { ["identity"] = identity, ["authtype"] = type, ["email"] = email }, ct);

    /// <summary>Read as a list or as lines (JsonAsync takes either): Ferry streams an account's identities, Rucio's servers have answered both ways.</summary>
    public async Task<List<Ferry.Core.Dialect.RucioIdentity>> IdentitiesAsync(string account, CancellationToken ct = default)
    {
        var answer = await JsonAsync(HttpMethod.Get, $"accounts/{Escape(account)}/identities", ct: ct);
        // One line of a stream parses as a single object.
        var items = answer.ValueKind switch { JsonValueKind.Array => answer.EnumerateArray().ToList(), JsonValueKind.Object => [answer], _ => [] };
        return items.Select(i => i.Deserialize(Ferry.Core.Dialect.DialectJson.Default.RucioIdentity)!).ToList();
    }

    public Task DeleteIdentityAsync(string account, string identity, string type, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Delete, $"accounts/{Escape(account)}/identities", new JsonObject { ["identity"] = identity, ["authtype"] = type }, ct);

    /// <summary>Audit records (admin): the latest <paramref name="limit"/>, or from <paramref name="since"/> on.</summary>
    public Task<List<JsonElement>> AuditAsync(string? account, string? since, int limit, CancellationToken ct = default)
    {
        var query = new List<string> { $"limit={limit}" };
        if (account is not null) query.Add($"account={Uri.EscapeDataString(account)}");
        if (since is not null) query.Add($"since={Uri.EscapeDataString(since)}");
        return ListAsync(HttpMethod.Get, $"ferry/audit?{string.Join('&', query)}", ct: ct);
    }
}
