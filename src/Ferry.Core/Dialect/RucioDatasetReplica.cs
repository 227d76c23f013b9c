using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>
/// One RSE's share of a dataset, as <c>GET /replicas/{scope}/{name}/datasets</c> and <c>POST /replicas/datasets_bulk</c>
/// list it: what the RSE holds AVAILABLE against the whole dataset. <c>accessed_at</c> is always null (Ferry keeps no
/// access times).
/// </summary>
public sealed record RucioDatasetReplica
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string Rse { get; init; }
    public required string RseId { get; init; }
    public long Bytes { get; init; }
    public long Length { get; init; }
    public long AvailableBytes { get; init; }
    public long AvailableLength { get; init; }
    /// <summary>AVAILABLE when every file is there, else UNAVAILABLE (an empty dataset too: nothing there to read).</summary>
    public required string State { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset CreatedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset UpdatedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? AccessedAt { get; init; }
}
