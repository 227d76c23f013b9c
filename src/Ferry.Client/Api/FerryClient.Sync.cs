using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Dialect;
using Ferry.Core.Identifiers;

namespace Ferry.Client.Http;

/// <summary>Calls catalogue sync and the consistency check use: Ferry's extensions and a few more dialect calls.</summary>
public sealed partial class FerryClient
{
    /// <summary>Ferry's listing of every replica on an RSE (scope, name, bytes, adler32, md5, state, path, dataset).</summary>
    public IAsyncEnumerable<JsonElement> RseReplicasAsync(string rse, CancellationToken ct = default) =>
        StreamAsync(HttpMethod.Get, $"ferry/rses/{Escape(rse)}/replicas", ct: ct);

    /// <summary>Runs the consistency check of an RSE on the server (admin); the body carries fix, grace_seconds, sample, checks_per_second and an optional dump.</summary>
    public Task<JsonElement> CheckRseAsync(string rse, JsonObject body, CancellationToken ct = default) =>
        JsonAsync(HttpMethod.Post, $"ferry/rses/{Escape(rse)}/check", body, ct);

    public async Task<Dictionary<string, string>> Lfns2PfnsAsync(string rse, IEnumerable<DidRef> lfns, string? scheme = null, CancellationToken ct = default,
        string? operation = null)
    {
        var query = string.Join("&", lfns.Select(l => $"lfn={Escape($"{l.Scope}:{l.Name}")}")) + (scheme is null ? "" : $"&scheme={Escape(scheme)}")
            + (operation is null ? "" : $"&operation={Escape(operation)}");
        var answer = await JsonAsync(HttpMethod.Get, $"rses/{Escape(rse)}/lfns2pfns?{query}", ct: ct);
        return answer.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
    }

    /// <summary>The distance from one RSE to another, or null when there is no link.</summary>
    public async Task<int?> DistanceAsync(string source, string destination, CancellationToken ct = default) =>
        (await DistancesAsync(source, destination, ct)).FirstOrDefault()?.Distance;

    /// <summary>The link from one RSE to another as a list of at most one row, as the dialect answers it.</summary>
    public Task<List<RucioDistance>> DistancesAsync(string source, string destination, CancellationToken ct = default) =>
        GetAsync(HttpMethod.Get, $"rses/{Escape(source)}/distances/{Escape(destination)}", DialectJson.Default.ListRucioDistance, ct: ct);

    public Task UpdateDistanceAsync(string source, string destination, int distance, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Put, $"rses/{Escape(source)}/distances/{Escape(destination)}", new JsonObject { ["distance"] = distance }, ct);

    public Task DeleteProtocolAsync(string rse, string scheme, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Delete, $"rses/{Escape(rse)}/protocols/{Escape(scheme)}", ct: ct);

    public Task<List<Ferry.Core.Dialect.RucioTypedDid>> ParentsAsync(DidRef did, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"dids/{D(did)}/parents", Ferry.Core.Dialect.DialectJson.Default.RucioTypedDid, ct: ct);

    /// <summary>Attaches children to parents in one call; children already attached are left as they are.</summary>
    public Task AttachManyAsync(IEnumerable<(DidRef Parent, IReadOnlyList<DidRef> Children)> attachments, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, "dids/attachments", new JsonObject
        {
            ["attachments"] = new JsonArray(attachments.Select(a => (JsonNode)new JsonObject
            {
                ["scope"] = a.Parent.Scope, ["name"] = a.Parent.Name, ["dids"] = DidArray(a.Children),
            }).ToArray()),
            ["ignore_duplicate"] = true,
        }, ct);
}
