using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>
/// What <c>GET /dids/{scope}/{name}</c> answers for either kind of DID. Rucio gives a file and a collection different
/// keys (a file has checksums, a collection its open/monotonic/expired_at) in a different order, each written even when
/// null, so they are two records; the SDK picks one by <c>type</c>.
/// </summary>
public interface IRucioDid
{
    string Scope { get; }
    string Name { get; }
    /// <summary>FILE, DATASET or CONTAINER.</summary>
    string Type { get; }
    string Account { get; }
    long? Bytes { get; }
    long? Length { get; }
}

/// <summary><c>GET /dids/{scope}/{name}</c> of a file; its length is always 1.</summary>
public sealed record RucioFileDid : IRucioDid
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string Account { get; init; }
    public long? Bytes { get; init; }
    public long? Length { get; init; }
    public string? Md5 { get; init; }
    public string? Adler32 { get; init; }
}

/// <summary>
/// <c>GET /dids/{scope}/{name}</c> of a dataset or container. With <c>dynamic_depth</c>, bytes and length are summed
/// over the files below it instead of the collection's own counters.
/// </summary>
public sealed record RucioCollectionDid : IRucioDid
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string Account { get; init; }
    public bool Open { get; init; }
    public bool Monotonic { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? ExpiredAt { get; init; }
    public long? Length { get; init; }
    public long? Bytes { get; init; }
}

/// <summary>One line of <c>GET /dids/{scope}/{name}/dids</c>: a collection's direct content.</summary>
public sealed record RucioDidContent
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public long? Bytes { get; init; }
    public string? Adler32 { get; init; }
    public string? Md5 { get; init; }
}

/// <summary>
/// One line of <c>GET /dids/{scope}/{name}/files</c>, the files below a DID; the guid is upper case, as Rucio's.
/// </summary>
public sealed record RucioDidFile
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public long? Bytes { get; init; }
    public string? Adler32 { get; init; }
    public string? Guid { get; init; }
    public long? Events { get; init; }
    /// <summary>
    /// Only the long form (<c>?long=True</c>) has this key. Ferry keeps no luminosity blocks, so it is there as a JSON
    /// null (<see cref="RucioDidFile.NoLumiBlock"/>); an absent value means the short form and is not written.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), JsonConverter(typeof(RucioKeptNullJsonConverter))]
    public JsonElement? Lumiblocknr { get; init; }

    /// <summary>The long form's empty luminosity block number.</summary>
    public static readonly JsonElement NoLumiBlock = JsonDocument.Parse("null").RootElement;
}

/// <summary>A DID named with its type: one line of <c>GET /dids/{scope}/{name}/parents</c>.</summary>
public sealed record RucioTypedDid
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
}

/// <summary>
/// One line of the long DID search (<c>GET /dids/{scope}/dids/search?long=True</c>); the short form is the bare names.
/// Rucio keeps no size for an open dataset, so bytes and length may be null.
/// </summary>
public sealed record RucioDidSearchResult
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string DidType { get; init; }
    public long? Bytes { get; init; }
    public long? Length { get; init; }
}

/// <summary>
/// For a key whose presence matters even when its value is null: a JSON null reads as a null <see cref="JsonElement"/>
/// (kept, so it is written back) rather than as no value (which <see cref="JsonIgnoreCondition.WhenWritingNull"/> drops).
/// </summary>
public sealed class RucioKeptNullJsonConverter : JsonConverter<JsonElement?>
{
    public override bool HandleNull => true;

    public override JsonElement? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => JsonElement.ParseValue(ref reader);

    public override void Write(Utf8JsonWriter writer, JsonElement? value, JsonSerializerOptions options)
    {
        if (value is { } v) v.WriteTo(writer);
        else writer.WriteNullValue();
    }
}
