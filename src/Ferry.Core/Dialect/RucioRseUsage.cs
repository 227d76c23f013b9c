using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>
/// An RSE's usage under one source (<c>GET /rses/{rse}/usage</c> and its history): "rucio" as the catalogue counts it,
/// "storage" as the storage reports free space, or a source an outside tool reports under. A source leaves out (null)
/// what it does not know.
/// </summary>
public sealed record RucioRseUsage
{
    public required string RseId { get; init; }
    public required string Rse { get; init; }
    public required string Source { get; init; }
    public long? Used { get; init; }
    public long? Free { get; init; }
    public long? Total { get; init; }
    public long? Files { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>One account's usage on an RSE (<c>GET /rses/{rse}/accounts/usage</c>); no quota is null.</summary>
public sealed record RucioRseAccountUsage
{
    public required string RseId { get; init; }
    public required string Rse { get; init; }
    public required string Account { get; init; }
    public long UsedFiles { get; init; }
    public long UsedBytes { get; init; }
    public long? QuotaBytes { get; init; }
}

/// <summary>
/// The distance from one RSE to another (<c>GET /rses/{src}/distances/{dst}</c>, a list of at most one). The names and
/// "ranking" (Rucio's older name for the distance) are only in that answer, not in <c>/export</c>'s distances. A
/// Rucio server's row may lack a distance, so it may be null.
/// </summary>
public sealed record RucioDistance
{
    public required string SrcRseId { get; init; }
    public required string DestRseId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SrcRse { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? DestRse { get; init; }
    public int? Distance { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Ranking { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset CreatedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>
/// <c>GET /export</c>: every RSE's info with its attributes, by name, and (unless <c>distance=false</c>) the distances
/// as source, then destination, to distance.
/// </summary>
public sealed record RucioExport
{
    public required IReadOnlyDictionary<string, RucioRseInfo> Rses { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, Dictionary<string, RucioDistance>>? Distances { get; init; }
}
