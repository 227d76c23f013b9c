using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Dialect;
using Ferry.Core.Identifiers;

namespace Ferry.Client.Http;

/// <summary>Accounts, scopes, RSEs and DIDs (dialect §1-6). Results are the dialect's records (Ferry.Core.Dialect) where converted, else the server's JSON.</summary>
public sealed partial class FerryClient
{
    private static string D(DidRef d) => $"{Escape(d.Scope)}/{Escape(d.Name)}";

    public async Task<string> PingAsync(CancellationToken ct = default)
    {
        using var resp = await _http.GetAsync("ping", ct);
        if (!resp.IsSuccessStatusCode) throw await ErrorFrom(resp);
        return Json.Parse(await resp.Content.ReadAsStringAsync(ct)).Str("version") ?? "?";
    }

    public async Task<RucioAccount> WhoamiAsync(CancellationToken ct = default)
    {
        using var resp = await SendAsync(HttpMethod.Get, "accounts/whoami", ct: ct);
        if ((int)resp.StatusCode != 303) throw await ErrorFrom(resp);
        var location = resp.Headers.Location?.ToString() ?? Account ?? "root";
        return await GetAccountAsync(location.Split('/')[^1], ct);
    }

    public Task<RucioAccount> GetAccountAsync(string account, CancellationToken ct = default) =>
        GetAsync(HttpMethod.Get, $"accounts/{Escape(account)}", DialectJson.Default.RucioAccount, ct: ct);

    public Task AddAccountAsync(string account, string type, string? email, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"accounts/{Escape(account)}", new JsonObject { ["type"] = type, ["email"] = email }, ct);

    public Task AddUserpassAsync(string account, string username, string password, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"accounts/{Escape(account)}/identities",
            new JsonObject { ["identity"] = username, ["authtype"] = "USERPASS", ["email"] = null, ["password"] = password }, ct);

    public Task SetAccountAttributeAsync(string account, string key, string value, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"accounts/{Escape(account)}/attr/{Escape(key)}", new JsonObject { ["value"] = value }, ct);

    public Task<List<RucioAccountSummary>> ListAccountsAsync(CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, "accounts/", DialectJson.Default.RucioAccountSummary, ct: ct);

    public Task SetLocalLimitAsync(string account, string rse, long bytes, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"accounts/{Escape(account)}/limits/local/{Escape(rse)}", new JsonObject { ["bytes"] = bytes }, ct);

    public Task SetGlobalLimitAsync(string account, string expression, long bytes, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"accounts/{Escape(account)}/limits/global/{Escape(expression)}", new JsonObject { ["bytes"] = bytes }, ct);

    // Limits and usage are read through the JsonElement readers, which quote the Infinity a Rucio server may write for
    // an unlimited quota (RucioLimitJsonConverter reads that as long.MaxValue, what Ferry sends).

    /// <summary>Bytes per RSE; an unlimited limit is <see cref="long.MaxValue"/>.</summary>
    public async Task<Dictionary<string, long>> LocalLimitsAsync(string account, CancellationToken ct = default) =>
        (await JsonAsync(HttpMethod.Get, $"accounts/{Escape(account)}/limits/local", ct: ct)).EnumerateObject().ToDictionary(p => p.Name, p => RucioLimitJsonConverter.Of(p.Value));

    /// <summary>The limits per RSE expression, each with the RSEs it covers.</summary>
    public Task<Dictionary<string, RucioGlobalLimit>> GlobalLimitsAsync(string account, CancellationToken ct = default) =>
        GetAsync(HttpMethod.Get, $"accounts/{Escape(account)}/limits/global", DialectJson.Default.DictionaryStringRucioGlobalLimit, ct: ct);

    public Task<List<RucioAccountUsage>> AccountUsageAsync(string account, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"accounts/{Escape(account)}/usage/local", DialectJson.Default.RucioAccountUsage, ct: ct);

    public Task<List<string>> ScopesAsync(CancellationToken ct = default) => GetAsync(HttpMethod.Get, "scopes/", DialectJson.Default.ListString, ct: ct);

    public Task<List<RucioScopeOwner>> ScopesWithOwnersAsync(CancellationToken ct = default) =>
        GetAsync(HttpMethod.Get, "scopes/owner", DialectJson.Default.ListRucioScopeOwner, ct: ct);

    public Task AddScopeAsync(string account, string scope, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"accounts/{Escape(account)}/scopes/{Escape(scope)}", ct: ct);

    public Task<List<RucioRse>> ListRsesAsync(CancellationToken ct = default) => ListAsync(HttpMethod.Get, "rses/", DialectJson.Default.RucioRse, ct: ct);

    /// <summary>The RSEs an RSE expression selects; the server answers their names only.</summary>
    public Task<List<RucioRseName>> ResolveRsesAsync(string expression, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"rses/?expression={Escape(expression)}", DialectJson.Default.RucioRseName, ct: ct);

    public Task<RucioRseInfo> GetRseAsync(string rse, CancellationToken ct = default) => GetAsync(HttpMethod.Get, $"rses/{Escape(rse)}", DialectJson.Default.RucioRseInfo, ct: ct);

    public Task AddRseAsync(string rse, JsonObject? properties = null, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"rses/{Escape(rse)}", properties, ct);

    public Task UpdateRseAsync(string rse, JsonObject properties, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Put, $"rses/{Escape(rse)}", properties, ct);

    public Task DeleteRseAsync(string rse, CancellationToken ct = default) => NoContentAsync(HttpMethod.Delete, $"rses/{Escape(rse)}", ct: ct);

    /// <summary>An RSE's attributes: true/false as JSON booleans, other values as the server gives them (strings, from Ferry).</summary>
    public Task<Dictionary<string, JsonElement>> RseAttributesAsync(string rse, CancellationToken ct = default) =>
        GetAsync(HttpMethod.Get, $"rses/{Escape(rse)}/attr/", DialectJson.Default.DictionaryStringJsonElement, ct: ct);

    public Task<List<RucioProtocol>> RseProtocolsAsync(string rse, CancellationToken ct = default) =>
        GetAsync(HttpMethod.Get, $"rses/{Escape(rse)}/protocols", DialectJson.Default.ListRucioProtocol, ct: ct);

    /// <summary>An RSE's limits by name (MinFreeSpace, MaxBeingDeletedFiles, or a site's own).</summary>
    public Task<Dictionary<string, long>> RseLimitsAsync(string rse, CancellationToken ct = default) =>
        GetAsync(HttpMethod.Get, $"rses/{Escape(rse)}/limits", DialectJson.Default.DictionaryStringInt64, ct: ct);

    public Task SetRseAttributeAsync(string rse, string key, string value, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"rses/{Escape(rse)}/attr/{Escape(key)}", new JsonObject { ["value"] = value }, ct);

    public Task AddProtocolAsync(string rse, string scheme, JsonObject protocol, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"rses/{Escape(rse)}/protocols/{Escape(scheme)}", protocol, ct);

    public Task<List<RucioRseUsage>> RseUsageAsync(string rse, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"rses/{Escape(rse)}/usage", DialectJson.Default.RucioRseUsage, ct: ct);

    public Task SetDistanceAsync(string source, string destination, int distance, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"rses/{Escape(source)}/distances/{Escape(destination)}", new JsonObject { ["distance"] = distance }, ct);

    /// <summary>A deterministic posix RSE: the RSE plus a `file` protocol on a local directory.</summary>
    public async Task AddPosixRseAsync(string rse, string prefix, CancellationToken ct = default)
    {
        await AddRseAsync(rse, null, ct);
        var priorities = new JsonObject { ["read"] = 1, ["write"] = 1, ["delete"] = 1 };
        await AddProtocolAsync(rse, "file", new JsonObject
        {
            ["hostname"] = "localhost", ["port"] = 0, ["prefix"] = Path.GetFullPath(prefix), ["impl"] = "rucio.rse.protocols.posix.Default",
            ["domains"] = new JsonObject
            {
                ["lan"] = priorities.DeepClone(),
                ["wan"] = new JsonObject { ["read"] = 1, ["write"] = 1, ["delete"] = 1, ["third_party_copy_read"] = 1, ["third_party_copy_write"] = 1 },
            },
            ["extended_attributes"] = null,
        }, ct);
    }

    public Task AddCollectionAsync(DidRef did, string type, long? lifetime = null, JsonArray? rules = null, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"dids/{D(did)}", new JsonObject { ["type"] = type.ToUpperInvariant(), ["lifetime"] = lifetime, ["rules"] = rules }, ct);

    /// <summary>A file (<see cref="RucioFileDid"/>) or a collection (<see cref="RucioCollectionDid"/>), told apart by its type.</summary>
    public async Task<IRucioDid> GetDidAsync(DidRef did, string? dynamicDepth = null, CancellationToken ct = default)
    {
        var answer = await JsonAsync(HttpMethod.Get, $"dids/{D(did)}" + (dynamicDepth is null ? "" : $"?dynamic_depth={dynamicDepth}"), ct: ct);
        return answer.Str("type") is "FILE"
            ? answer.Deserialize(DialectJson.Default.RucioFileDid)!
            : answer.Deserialize(DialectJson.Default.RucioCollectionDid)!;
    }

    /// <summary>The DID_COLUMN view of a DID's metadata: Rucio's DID columns, with those set as metadata.</summary>
    public Task<RucioDidColumns> DidColumnsAsync(DidRef did, CancellationToken ct = default) =>
        GetAsync(HttpMethod.Get, $"dids/{D(did)}/meta?plugin=DID_COLUMN", DialectJson.Default.RucioDidColumns, ct: ct);

    /// <summary>The JSON view (free-form keys) or the ALL view (columns and free-form keys) of a DID's metadata.</summary>
    public Task<Dictionary<string, JsonElement>> MetadataAsync(DidRef did, string plugin = "JSON", CancellationToken ct = default) =>
        GetAsync(HttpMethod.Get, $"dids/{D(did)}/meta?plugin={plugin}", DialectJson.Default.DictionaryStringJsonElement, ct: ct);

    public Task AttachAsync(DidRef parent, IEnumerable<DidRef> children, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, $"dids/{D(parent)}/dids", new JsonObject { ["dids"] = DidArray(children) }, ct);

    public Task DetachAsync(DidRef parent, IEnumerable<DidRef> children, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Delete, $"dids/{D(parent)}/dids", new JsonObject { ["dids"] = DidArray(children) }, ct);

    public Task<List<RucioDidContent>> ContentAsync(DidRef did, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"dids/{D(did)}/dids", DialectJson.Default.RucioDidContent, ct: ct);

    public Task<List<RucioDidFile>> FilesAsync(DidRef did, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"dids/{D(did)}/files", DialectJson.Default.RucioDidFile, ct: ct);

    /// <summary>The files below a DID as they arrive: a container of millions of files need not be held in memory.</summary>
    public IAsyncEnumerable<RucioDidFile> StreamFilesAsync(DidRef did, CancellationToken ct = default) =>
        StreamAsync(HttpMethod.Get, $"dids/{D(did)}/files", DialectJson.Default.RucioDidFile, ct: ct);

    /// <summary>A dataset's replicas per RSE: length and available_length (complete when equal).</summary>
    public Task<List<Ferry.Core.Dialect.RucioDatasetReplica>> DatasetReplicasAsync(DidRef did, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"replicas/{D(did)}/datasets", Ferry.Core.Dialect.DialectJson.Default.RucioDatasetReplica, ct: ct);

    /// <summary>Name search in a scope; the filters parameter is a Python literal, as the Rucio client sends it.</summary>
    public Task<List<RucioDidSearchResult>> SearchAsync(string scope, string pattern, string type = "collection", CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"dids/{Escape(scope)}/dids/search?type={type}&filters={Escape($"[{{'name': '{pattern}'}}]")}&long=True",
            DialectJson.Default.RucioDidSearchResult, ct: ct);

    public Task CloseAsync(DidRef did, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Put, $"dids/{D(did)}/status", new JsonObject { ["open"] = false }, ct);

    internal static JsonArray DidArray(IEnumerable<DidRef> dids) =>
        new(dids.Select(d => (JsonNode)new JsonObject { ["scope"] = d.Scope, ["name"] = d.Name }).ToArray());
}
