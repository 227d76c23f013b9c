using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>
/// Source-generated JSON for the records of the Rucio dialect (this folder). The server writes its answers with it and
/// the SDK reads them with it, so a wire name is spelled once, on the record. Every record is listed here: the generator
/// takes its list from one declaration only.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RucioError))]
// rules, locks, requests, replicas, subscriptions
[JsonSerializable(typeof(RucioRule))]
// RSEs, protocols, distances, RSE usage and limits
[JsonSerializable(typeof(RucioRse))]
[JsonSerializable(typeof(RucioRseName))]
[JsonSerializable(typeof(RucioRseInfo))]
[JsonSerializable(typeof(List<RucioProtocol>))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(List<RucioDistance>))]
[JsonSerializable(typeof(RucioRseUsage))]
[JsonSerializable(typeof(RucioRseAccountUsage))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSerializable(typeof(RucioExport))]
// accounts, identities, scopes, account limits and usage
// DIDs, files, metadata
public sealed partial class DialectJson : JsonSerializerContext;

/// <summary>
/// A Rucio date: written as the server writes it (RFC 1123 with "UTC"), read in any of the spellings Rucio's servers
/// and clients use (RFC 1123, ISO 8601 with or without a zone).
/// </summary>
public sealed class RucioDateJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? Time.RucioTime.Parse(reader.GetString()!)
            : throw new JsonException("A Rucio date must be a string");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Time.RucioTime.Format(value));
}
