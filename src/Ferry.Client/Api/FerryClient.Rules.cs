using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Dialect;
using Ferry.Core.Identifiers;

namespace Ferry.Client.Http;

/// <summary>What `rule add` asks for; defaults as the Rucio client sends them.</summary>
public sealed record RuleRequest(IReadOnlyList<DidRef> Dids, string RseExpression, int Copies = 1, long? Lifetime = null, string Grouping = "DATASET",
    string? Comment = null, bool Locked = false, string? Account = null, string? Weight = null, string? SourceReplicaExpression = null,
    string? Activity = null, bool PurgeReplicas = false, bool IgnoreAvailability = false);

/// <summary>Replication rules and replicas (dialect §7-8).</summary>
public sealed partial class FerryClient
{
    public async Task<List<string>> AddRulesAsync(RuleRequest r, CancellationToken ct = default)
    {
        // Every key the official client sends, so that a Rucio server accepts the body as well.
        var body = new JsonObject
        {
            ["dids"] = DidArray(r.Dids), ["account"] = r.Account ?? Account, ["copies"] = r.Copies, ["rse_expression"] = r.RseExpression,
            ["weight"] = r.Weight, ["lifetime"] = r.Lifetime, ["grouping"] = r.Grouping, ["locked"] = r.Locked,
            ["source_replica_expression"] = r.SourceReplicaExpression, ["activity"] = r.Activity, ["notify"] = "N",
            ["purge_replicas"] = r.PurgeReplicas, ["ignore_availability"] = r.IgnoreAvailability, ["comment"] = r.Comment,
            ["ask_approval"] = false, ["asynchronous"] = false, ["delay_injection"] = null, ["priority"] = 3, ["split_container"] = false, ["meta"] = null,
        };
        return (await JsonAsync(HttpMethod.Post, "rules/", body, ct)).EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    public Task<RucioRule> GetRuleAsync(string id, CancellationToken ct = default) => GetAsync(HttpMethod.Get, $"rules/{Escape(id)}", DialectJson.Default.RucioRule, ct: ct);

    public Task<List<RucioRule>> ListRulesAsync(string? account = null, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, account is null ? "rules/" : $"rules/?account={Escape(account)}", DialectJson.Default.RucioRule, ct: ct);

    public Task<List<RucioRule>> DidRulesAsync(DidRef did, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"dids/{D(did)}/rules", DialectJson.Default.RucioRule, ct: ct);

    public Task<List<RucioLock>> RuleLocksAsync(string id, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"rules/{Escape(id)}/locks", DialectJson.Default.RucioLock, ct: ct);

    public Task<List<RucioRuleHistory>> RuleHistoryAsync(DidRef did, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"rules/{D(did)}/history", DialectJson.Default.RucioRuleHistory, ct: ct);

    /// <summary>A file's transfer request to an RSE: the one waiting or copying, or with <paramref name="finished"/> the last finished one.</summary>
    public Task<RucioRequest> GetRequestAsync(DidRef file, string rse, bool finished = false, CancellationToken ct = default) =>
        GetAsync(HttpMethod.Get, $"requests/{(finished ? "history/" : "")}{D(file)}/{Escape(rse)}", DialectJson.Default.RucioRequest, ct: ct);

    /// <summary>The requests on a link in the given states (Rucio's letters Q, S, D, F); admins only.</summary>
    public Task<List<RucioRequest>> ListRequestsAsync(string sourceRse, string destRse, IEnumerable<string> states, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"requests/list?src_rse={Escape(sourceRse)}&dst_rse={Escape(destRse)}&request_states={Escape(string.Join(',', states))}",
            DialectJson.Default.RucioRequest, ct: ct);

    public Task UpdateRuleAsync(string id, JsonObject options, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Put, $"rules/{Escape(id)}", new JsonObject { ["options"] = options }, ct);

    /// <summary>The dialect's delete schedules expiry within the hour; <paramref name="immediate"/> uses Ferry's extension and removes it now.</summary>
    public Task DeleteRuleAsync(string id, bool? purgeReplicas, bool immediate, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Delete, $"rules/{Escape(id)}" + (immediate ? "?immediate=true" : ""), new JsonObject { ["purge_replicas"] = purgeReplicas }, ct);

    /// <summary>The new rule's id: Rucio answers it as a JSON string, older dialect servers as a one-element list.</summary>
    public async Task<string> MoveRuleAsync(string id, string rseExpression, CancellationToken ct = default)
    {
        var answer = await JsonAsync(HttpMethod.Post, $"rules/{Escape(id)}/move", new JsonObject { ["rse_expression"] = rseExpression }, ct);
        return (answer.ValueKind == JsonValueKind.Array ? answer[0] : answer).GetString()!;
    }

    /// <summary>Per RSE, the replicas that could not be declared bad and why; empty when all were.</summary>
    public Task<Dictionary<string, List<string>>> DeclareBadAsync(IEnumerable<(DidRef Did, string Rse)> replicas, string reason, CancellationToken ct = default) =>
        GetAsync(HttpMethod.Post, "replicas/bad", DialectJson.Default.DictionaryStringListString, new JsonObject
        {
            ["replicas"] = new JsonArray(replicas.Select(r => (JsonNode)new JsonObject { ["scope"] = r.Did.Scope, ["name"] = r.Did.Name, ["rse"] = r.Rse }).ToArray()),
            ["reason"] = reason,
        }, ct);

    public Task AddReplicasAsync(string rse, JsonArray files, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Post, "replicas", new JsonObject { ["rse"] = rse, ["files"] = files, ["ignore_availability"] = true }, ct);

    public Task UpdateReplicasAsync(string rse, JsonArray files, CancellationToken ct = default) =>
        NoContentAsync(HttpMethod.Put, "replicas", new JsonObject { ["rse"] = rse, ["files"] = files }, ct);

    public Task<List<RucioReplica>> ListReplicasAsync(IEnumerable<DidRef> dids, bool allStates = false, string? rseExpression = null, CancellationToken ct = default,
        IReadOnlyCollection<string>? schemes = null)
    {
        var body = new JsonObject
        {
            ["dids"] = DidArray(dids), ["all_states"] = allStates, ["resolve_parents"] = true, ["rse_expression"] = rseExpression,
            ["ignore_availability"] = false, ["domain"] = null,
            // Ferry's downloader verifies every file it writes and does not unpack archives, so it asks only for real copies.
            ["resolve_archives"] = false,
        };
        if (schemes is not null) body["schemes"] = new JsonArray(schemes.Select(s => (JsonNode)JsonValue.Create(s)).ToArray());
        return ListAsync(HttpMethod.Post, "replicas/list", DialectJson.Default.RucioReplica, body, ct);
    }
}
