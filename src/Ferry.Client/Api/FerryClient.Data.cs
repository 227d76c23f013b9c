using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Client.Data;
using Ferry.Core.Identifiers;
using Ferry.Core.Selection;

namespace Ferry.Client.Http;

/// <summary>Ferry's bulk extension for `ferry data` (/ferry/data/...): paged selection and bulk rule actions.</summary>
public sealed partial class FerryClient
{
    /// <summary>Every DID the selection finds, one request per page of <paramref name="pageSize"/>.</summary>
    public async IAsyncEnumerable<SelectedItem> SelectAsync(DataSelection selection, int pageSize = 1000, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string? after = null;
        do
        {
            var body = SelectionBody(selection);
            body["limit"] = pageSize;
            body["after"] = after;
            var page = await JsonAsync(HttpMethod.Post, "ferry/data/select", body, ct);
            foreach (var item in page.GetProperty("items").EnumerateArray()) yield return item.Deserialize<SelectedItem>(Json.Options)!;
            after = page.Str("next");
        } while (after is not null);
    }

    public static JsonObject SelectionBody(DataSelection s)
    {
        static JsonArray Strings(IEnumerable<string> v) => new(v.Select(x => (JsonNode)JsonValue.Create(x)).ToArray());
        var o = new JsonObject { ["type"] = DataSelection.Wire(s.Type), ["any"] = s.Any, ["container_satisfies"] = s.ContainerSatisfies };
        if (s.Scopes.Count > 0) o["scopes"] = Strings(s.Scopes);
        if (s.Pattern is not null) o["pattern"] = s.Pattern;
        if (s.Dids is not null) o["dids"] = DidArray(s.Dids);
        // A list, not an object: the same key may be asked for twice (and then nothing matches).
        if (s.Meta.Count > 0) o["meta"] = new JsonArray(s.Meta.Select(m => (JsonNode)new JsonObject { ["key"] = m.Key, ["value"] = m.Value }).ToArray());
        if (s.CreatedAfter is { } a) o["created_after"] = a.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        if (s.CreatedBefore is { } b) o["created_before"] = b.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        if (s.HasRuleOn.Count > 0) o["has_rule_on"] = Strings(s.HasRuleOn);
        if (s.NoRuleOn.Count > 0) o["no_rule_on"] = Strings(s.NoRuleOn);
        if (s.HasReplicaOn.Count > 0) o["has_replica_on"] = Strings(s.HasReplicaOn);
        if (s.NoReplicaOn.Count > 0) o["no_replica_on"] = Strings(s.NoReplicaOn);
        if (s.NeverHadRuleOn.Count > 0) o["never_had_rule_on"] = Strings(s.NeverHadRuleOn);
        if (s.RuleExpiresWithinSeconds is { } w) o["rule_expires_within"] = w;
        return o;
    }

    /// <summary>One rule per DID on the expression (an existing rule of the account there is reported, not duplicated).</summary>
    public Task<List<DataResult>> ReplicateDataAsync(IReadOnlyList<DidRef> dids, ReplicateRequest r, bool dryRun, CancellationToken ct = default) =>
        Results("ferry/data/replicate", new JsonObject
        {
            ["dids"] = DidArray(dids), ["rse_expression"] = r.RseExpression, ["copies"] = r.Copies, ["lifetime"] = r.Lifetime, ["grouping"] = r.Grouping,
            ["activity"] = r.Activity, ["comment"] = r.Comment, ["account"] = r.Account, ["dry_run"] = dryRun,
        }, ct);

    public Task<List<DataResult>> PlanExtendAsync(IReadOnlyList<DidRef> dids, RuleScopeRequest scope, long lifetime, bool allowShorten, CancellationToken ct = default)
    {
        var body = ScopeBody(dids, scope);
        body["lifetime"] = lifetime;
        body["allow_shorten"] = allowShorten;
        return Results("ferry/data/extend/plan", body, ct);
    }

    /// <summary>Sets each rule's planned expiry (<see cref="DataResult.ExpiresAfter"/>).</summary>
    public Task<List<DataResult>> ExtendRulesAsync(IReadOnlyList<DataResult> planned, bool allowShorten, CancellationToken ct = default) =>
        Results("ferry/data/extend", new JsonObject
        {
            ["rules"] = new JsonArray(planned.Select(p => (JsonNode)new JsonObject { ["id"] = p.RuleId, ["expires_at"] = p.ExpiresAfter }).ToArray()),
            ["allow_shorten"] = allowShorten,
        }, ct);

    public Task<List<DataResult>> PlanDeleteAsync(IReadOnlyList<DidRef> dids, RuleScopeRequest scope, CancellationToken ct = default) =>
        Results("ferry/data/delete/plan", ScopeBody(dids, scope), ct);

    public Task<List<DataResult>> DeleteRulesAsync(IReadOnlyList<DataResult> planned, bool purgeReplicas, CancellationToken ct = default) =>
        Results("ferry/data/delete", new JsonObject
        {
            ["rules"] = new JsonArray(planned.Select(p => (JsonNode)new JsonObject { ["id"] = p.RuleId }).ToArray()), ["purge_replicas"] = purgeReplicas,
        }, ct);

    private static JsonObject ScopeBody(IReadOnlyList<DidRef> dids, RuleScopeRequest scope) => new()
    {
        ["dids"] = DidArray(dids), ["account"] = scope.Account,
        ["rule_on"] = new JsonArray(scope.On.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()), ["rule_expires_within"] = scope.ExpiresWithinSeconds,
    };

    private async Task<List<DataResult>> Results(string path, JsonObject body, CancellationToken ct) =>
        (await JsonAsync(HttpMethod.Post, path, body, ct)).GetProperty("results").Deserialize<List<DataResult>>(Json.Options)!;
}
