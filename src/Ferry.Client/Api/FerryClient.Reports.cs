using System.Text.Json;
using Ferry.Core.Dialect;
using System.Text.Json.Nodes;

namespace Ferry.Client.Http;

/// <summary>One rule's progress as POST /ferry/rules/progress reports it.</summary>
public sealed record RuleProgressInfo(string RuleId, string Account, string Scope, string Name, string RseExpression, int Copies, string State,
    string? Error, long LocksOkCnt, long LocksReplicatingCnt, long LocksStuckCnt, long Bytes, long BytesOk, long BytesReplicating, long BytesStuck,
    string? ExpiresAt, string? UpdatedAt);

/// <summary>The rules found, and the ids asked for that name no rule.</summary>
public sealed record RulesProgress(IReadOnlyList<RuleProgressInfo> Rules, IReadOnlyList<string> Missing);

public sealed record DatasetUsageInfo(string Scope, string Name, long Bytes, long Files);

/// <summary>
/// One RSE of a usage report. <see cref="BytesLimit"/> follows the dialect's usage listing: 0 when no limit is set
/// (<see cref="LimitSet"/> false), <see cref="long.MaxValue"/> when unlimited.
/// </summary>
public sealed record RseUsageInfo(string RseId, string Rse, long Bytes, long Files, long BytesLimit, bool LimitSet, IReadOnlyList<DatasetUsageInfo> Datasets);

public sealed record UsageReport(string Account, string? RseExpression, int Top, string GeneratedAt, IReadOnlyList<RseUsageInfo> Rses);

/// <summary>Ferry's extensions for watching rules and reporting usage; one request however many rules or datasets.</summary>
public sealed partial class FerryClient
{
    /// <summary>Progress of the rules; a server without /ferry/rules (Rucio) is asked rule by rule, without byte counts.</summary>
    public async Task<RulesProgress> RulesProgressAsync(IReadOnlyCollection<string> ruleIds, CancellationToken ct = default)
    {
        if (_hasExtensions == false) return await RulesOneByOneAsync(ruleIds, ct);
        try
        {
            return Read<RulesProgress>(await JsonAsync(HttpMethod.Post, "ferry/rules/progress",
                new JsonObject { ["rule_ids"] = new JsonArray(ruleIds.Select(i => (JsonNode)JsonValue.Create(i)).ToArray()) }, ct));
        }
        catch (FerryApiException e) when (e.ExceptionClass == FerryExtensions.MissingCapability) { return await RulesOneByOneAsync(ruleIds, ct); }
    }

    public async Task<RulesProgress> AccountRulesProgressAsync(string account, CancellationToken ct = default)
    {
        if (_hasExtensions != false)
            try { return Read<RulesProgress>(await JsonAsync(HttpMethod.Post, "ferry/rules/progress", new JsonObject { ["account"] = account }, ct)); }
            catch (FerryApiException e) when (e.ExceptionClass == FerryExtensions.MissingCapability) { }
        return new RulesProgress((await ListRulesAsync(account, ct)).Select(FromRule).ToList(), []);
    }

    private async Task<RulesProgress> RulesOneByOneAsync(IReadOnlyCollection<string> ruleIds, CancellationToken ct)
    {
        var found = new List<RuleProgressInfo>();
        var missing = new List<string>();
        foreach (var id in ruleIds)
            try { found.Add(FromRule(await GetRuleAsync(id, ct))); }
            catch (FerryApiException e) when (e.ExceptionClass == "RuleNotFound") { missing.Add(id); }
        return new RulesProgress(found, missing);
    }

    /// <summary>A rule as the dialect shows it, as progress: lock counts only (a Rucio rule keeps no byte counts).</summary>
    private static RuleProgressInfo FromRule(RucioRule r) =>
        new(r.Id, r.Account, r.Scope, r.Name, r.RseExpression, r.Copies, r.State, r.Error, r.LocksOkCnt, r.LocksReplicatingCnt, r.LocksStuckCnt, 0, 0, 0, 0,
            Ferry.Core.Time.RucioTime.Format(r.ExpiresAt), Ferry.Core.Time.RucioTime.Format(r.UpdatedAt));

    public async Task<UsageReport> UsageReportAsync(string account, string? rseExpression, int top, CancellationToken ct = default)
    {
        var query = $"top={top}" + (rseExpression is null ? "" : $"&rse_expression={Escape(rseExpression)}");
        return Read<UsageReport>(await JsonAsync(HttpMethod.Get, $"ferry/accounts/{Escape(account)}/usage/report?{query}", ct: ct));
    }

    private static T Read<T>(JsonElement e) =>
        e.Deserialize<T>(Json.Options) ?? throw new JsonException($"the server sent no {typeof(T).Name}");
}
