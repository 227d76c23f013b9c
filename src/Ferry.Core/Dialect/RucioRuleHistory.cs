using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>One rule ever made on a DID, as <c>GET /rules/{scope}/{name}/history</c> lists it; <c>rses</c> are the RSEs its locks were on.</summary>
public sealed record RucioRuleHistory
{
    public required string RuleId { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset CreatedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset UpdatedAt { get; init; }
    public required string RseExpression { get; init; }
    public required string State { get; init; }
    public required string Account { get; init; }
    public long LocksOkCnt { get; init; }
    public IReadOnlyList<string> Rses { get; init; } = [];
    public long LocksStuckCnt { get; init; }
    public long LocksReplicatingCnt { get; init; }
}
