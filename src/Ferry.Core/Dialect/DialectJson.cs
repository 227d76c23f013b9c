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
[JsonSerializable(typeof(RucioLock))]
[JsonSerializable(typeof(RucioRuleHistory))]
[JsonSerializable(typeof(RucioReplica))]
[JsonSerializable(typeof(RucioDatasetReplica))]
[JsonSerializable(typeof(RucioSubscription))]
// The answer of POST /replicas/bad: per RSE, the replicas that could not be declared and why.
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
[JsonSerializable(typeof(RucioRequest))]
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
[JsonSerializable(typeof(RucioAccount))]
[JsonSerializable(typeof(RucioAccountSummary))]
[JsonSerializable(typeof(RucioIdentity))]
[JsonSerializable(typeof(List<RucioScopeOwner>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(RucioAccountUsage))]
[JsonSerializable(typeof(RucioAccountGlobalUsage))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSerializable(typeof(Dictionary<string, long?>))]
[JsonSerializable(typeof(Dictionary<string, RucioGlobalLimit>))]
// DIDs, files, metadata
[JsonSerializable(typeof(RucioFileDid))]
[JsonSerializable(typeof(RucioCollectionDid))]
[JsonSerializable(typeof(RucioDidContent))]
[JsonSerializable(typeof(RucioDidFile))]
[JsonSerializable(typeof(RucioTypedDid))]
[JsonSerializable(typeof(RucioDidSearchResult))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(RucioDidColumns))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
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
