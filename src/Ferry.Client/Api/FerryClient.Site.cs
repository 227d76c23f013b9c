using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Identifiers;

namespace Ferry.Client.Http;

/// <summary>Ferry's site policies (extensions beside the dialect): subscriptions, retention and the stalled-transfer check.</summary>
public sealed partial class FerryClient
{
    public Task<JsonElement> AddSubscriptionAsync(JsonObject subscription, CancellationToken ct = default) => JsonAsync(HttpMethod.Post, "ferry/subscriptions", subscription, ct);

    public Task<JsonElement> ListSubscriptionsAsync(CancellationToken ct = default) => JsonAsync(HttpMethod.Get, "ferry/subscriptions", ct: ct);

    public Task<JsonElement> GetSubscriptionAsync(string name, CancellationToken ct = default) => JsonAsync(HttpMethod.Get, $"ferry/subscriptions/{Escape(name)}", ct: ct);

    /// <summary>Changes the fields given: filter, rules, state (ACTIVE or INACTIVE), comments.</summary>
    public Task<JsonElement> UpdateSubscriptionAsync(string name, JsonObject change, CancellationToken ct = default) =>
        JsonAsync(HttpMethod.Put, $"ferry/subscriptions/{Escape(name)}", change, ct);

    public Task<JsonElement> SubscriptionHistoryAsync(string name, CancellationToken ct = default) =>
        JsonAsync(HttpMethod.Get, $"ferry/subscriptions/{Escape(name)}/history", ct: ct);

    public Task<JsonElement> DryRunSubscriptionAsync(JsonNode filter, JsonNode rules, int limit = 1000, CancellationToken ct = default) =>
        JsonAsync(HttpMethod.Post, "ferry/subscriptions/dry-run", new JsonObject { ["filter"] = filter, ["rules"] = rules, ["limit"] = limit }, ct);

    /// <summary>One round of every ACTIVE subscription now; returns how many DIDs got rules (or failed).</summary>
    public async Task<long> RunSubscriptionsAsync(CancellationToken ct = default) =>
        (await JsonAsync(HttpMethod.Post, "ferry/subscriptions/run", new JsonObject(), ct)).GetProperty("dids").GetInt64();

    /// <param name="ageBy">"created" (age since the replica was made) or "access" (since it was last read, per traces).</param>
    public Task<JsonElement> SetRetentionAsync(string rse, int minCopies, double minAgeDays, CancellationToken ct = default, string ageBy = "created") =>
        JsonAsync(HttpMethod.Put, $"ferry/retention/{Escape(rse)}", new JsonObject { ["min_copies"] = minCopies, ["min_age_days"] = minAgeDays, ["age_by"] = ageBy }, ct);

    public Task<JsonElement> ListRetentionAsync(CancellationToken ct = default) => JsonAsync(HttpMethod.Get, "ferry/retention", ct: ct);

    public Task<JsonElement> RetentionDryRunAsync(string rse, CancellationToken ct = default) => JsonAsync(HttpMethod.Get, $"ferry/retention/{Escape(rse)}/dry-run", ct: ct);

    /// <summary>Schedules for deletion what the RSE's policy lets go; returns those replicas.</summary>
    /// <param name="dids">Only the files below these DIDs (null: the whole RSE).</param>
    public Task<JsonElement> ApplyRetentionAsync(string rse, CancellationToken ct = default, IReadOnlyList<DidRef>? dids = null) =>
        JsonAsync(HttpMethod.Post, $"ferry/retention/{Escape(rse)}/run", Restricted(new JsonObject(), dids), ct);

    public Task<JsonElement> CheckStalledTransfersAsync(TimeSpan alertAfter, TimeSpan resetAfter, CancellationToken ct = default, IReadOnlyList<DidRef>? dids = null) =>
        JsonAsync(HttpMethod.Post, "ferry/transfers/stalled", Restricted(new JsonObject
        {
            ["alert_after_seconds"] = (long)alertAfter.TotalSeconds, ["reset_after_seconds"] = (long)resetAfter.TotalSeconds,
        }, dids), ct);

    /// <summary>Re-reads up to <paramref name="files"/> replicas of the RSE (the least recently checked); mismatches are declared BAD.</summary>
    public Task<JsonElement> AuditChecksumsAsync(string rse, int files, CancellationToken ct = default, IReadOnlyList<DidRef>? dids = null) =>
        JsonAsync(HttpMethod.Post, $"ferry/audit/{Escape(rse)}/run?files={files}", Restricted(new JsonObject(), dids), ct);

    /// <summary>A site task's body restricted to the files below <paramref name="dids"/> (`ferry site run --dids`); unchanged for null.</summary>
    public static JsonObject Restricted(JsonObject body, IReadOnlyList<DidRef>? dids)
    {
        if (dids is not null) body["dids"] = new JsonArray(dids.Select(d => (JsonNode)new JsonObject { ["scope"] = d.Scope, ["name"] = d.Name }).ToArray());
        return body;
    }
}
