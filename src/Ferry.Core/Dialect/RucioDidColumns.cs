using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>
/// A DID's metadata as Rucio's DID_COLUMN plugin shows it (<c>GET /dids/{scope}/{name}/meta</c>, the default plugin):
/// every column of Rucio's DID table, always all of them. The columns that Rucio lets a user set as metadata (project,
/// run_number, hidden, …) come from Ferry's metadata store, which takes any JSON value for them, so they are
/// <see cref="JsonElement"/>s and show what was stored; the rest are Ferry's own columns and fully typed. The JSON and
/// ALL plugins add free-form keys and stay maps (<c>Dictionary&lt;string, JsonElement&gt;</c>).
/// </summary>
public sealed record RucioDidColumns
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string Account { get; init; }
    public required string DidType { get; init; }
    /// <summary>Null for a file, which cannot be open or closed.</summary>
    public bool? IsOpen { get; init; }
    public bool Monotonic { get; init; }
    public JsonElement? Hidden { get; init; }
    public bool Obsolete { get; init; }
    public bool? Complete { get; init; }
    public JsonElement? IsNew { get; init; }
    public required string Availability { get; init; }
    public bool Suppressed { get; init; }
    public long? Bytes { get; init; }
    public long? Length { get; init; }
    public string? Md5 { get; init; }
    public string? Adler32 { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? ExpiredAt { get; init; }
    public JsonElement? PurgeReplicas { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? DeletedAt { get; init; }
    public long? Events { get; init; }
    public string? Guid { get; init; }
    public JsonElement? Project { get; init; }
    public JsonElement? Datatype { get; init; }
    public JsonElement? RunNumber { get; init; }
    public JsonElement? StreamName { get; init; }
    public JsonElement? ProdStep { get; init; }
    public JsonElement? Version { get; init; }
    public JsonElement? Campaign { get; init; }
    public JsonElement? TaskId { get; init; }
    public JsonElement? PandaId { get; init; }
    public JsonElement? Lumiblocknr { get; init; }
    public JsonElement? Provenance { get; init; }
    public JsonElement? PhysGroup { get; init; }
    public JsonElement? Transient { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? AccessedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? ClosedAt { get; init; }
    public JsonElement? EolAt { get; init; }
    public JsonElement? IsArchive { get; init; }
    public JsonElement? Constituent { get; init; }
    public long? AccessCnt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset CreatedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset UpdatedAt { get; init; }
}
