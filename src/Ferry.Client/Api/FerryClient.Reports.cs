using System.Text.Json;
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
    public async Task<RulesProgress> RulesProgressAsync(IReadOnlyCollection<string> ruleIds, CancellationToken ct = default) =>
        Read<RulesProgress>(await JsonAsync(HttpMethod.Post, "ferry/rules/progress",
            new JsonObject { ["rule_ids"] = new JsonArray(ruleIds.Select(i => (JsonNode)JsonValue.Create(i)).ToArray()) }, ct));

    public async Task<RulesProgress> AccountRulesProgressAsync(string account, CancellationToken ct = default) =>
        Read<RulesProgress>(await JsonAsync(HttpMethod.Post, "ferry/rules/progress", new JsonObject { ["account"] = account }, ct));

    public async Task<UsageReport> UsageReportAsync(string account, string? rseExpression, int top, CancellationToken ct = default)
    {
        var query = $"top={top}" + (rseExpression is null ? "" : $"&rse_expression={Escape(rseExpression)}");
        return Read<UsageReport>(await JsonAsync(HttpMethod.Get, $"ferry/accounts/{Escape(account)}/usage/report?{query}", ct: ct));
    }

    private static T Read<T>(JsonElement e) =>
        e.Deserialize<T>(Json.Options) ?? throw new JsonException($"the server sent no {typeof(T).Name}");
}
