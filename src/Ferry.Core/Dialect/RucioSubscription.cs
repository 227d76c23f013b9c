using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>
/// One subscription as Rucio's server gives it (<c>/subscriptions</c>): filter and replication rules as the JSON text
/// Rucio stores, <c>lifetime</c> as the date it runs out (null: never), dates in RFC 1123.
/// </summary>
public sealed record RucioSubscription
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Account { get; init; }
    public required string Filter { get; init; }
    public required string ReplicationRules { get; init; }
    public int Policyid { get; init; }
    public required string State { get; init; }
    public string? Comments { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? Lifetime { get; init; }
    public bool Retroactive { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? ExpiredAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset LastProcessed { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset CreatedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset UpdatedAt { get; init; }
}
