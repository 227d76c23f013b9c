using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>
/// A replication rule as Rucio's server gives it (<c>GET /rules/{id}</c>, and every rule listing, which adds the DID's
/// size as <c>bytes</c>). Enum values are Rucio's names (<c>OK</c>, <c>DATASET</c>, …); dates are RFC 1123.
/// </summary>
public sealed record RucioRule
{
    public required string Id { get; init; }
    public string? SubscriptionId { get; init; }
    public required string Account { get; init; }
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string DidType { get; init; }
    public required string State { get; init; }
    public string? Error { get; init; }
    public required string RseExpression { get; init; }
    public int Copies { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? ExpiresAt { get; init; }
    public string? Weight { get; init; }
    public bool Locked { get; init; }
    public long LocksOkCnt { get; init; }
    public long LocksReplicatingCnt { get; init; }
    public long LocksStuckCnt { get; init; }
    public string? SourceReplicaExpression { get; init; }
    public string? Activity { get; init; }
    public required string Grouping { get; init; }
    public string? Notification { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? StuckAt { get; init; }
    public bool PurgeReplicas { get; init; }
    public bool IgnoreAvailability { get; init; }
    public bool IgnoreAccountLimit { get; init; }
    public int Priority { get; init; }
    public string? Comments { get; init; }
    public string? ChildRuleId { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? EolAt { get; init; }
    public bool SplitContainer { get; init; }
    /// <summary>Workflow metadata as the JSON text it was given (Rucio stores and returns the text).</summary>
    public string? Meta { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? DeletedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset CreatedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>The DID's size; only listings carry it, so a single rule has no such key.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Bytes { get; init; }
}
