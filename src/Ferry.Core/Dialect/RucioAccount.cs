using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>
/// An account as <c>GET /accounts/{account}</c> gives it (and as the SDK's whoami reads it). Unlike most of the
/// dialect, Rucio writes this object's dates in ISO 8601 without a zone, so they have their own converter.
/// </summary>
public sealed record RucioAccount
{
    public required string Account { get; init; }
    public required string AccountType { get; init; }
    public required string Status { get; init; }
    public string? Email { get; init; }
    [JsonConverter(typeof(RucioIsoDateJsonConverter))] public DateTimeOffset? SuspendedAt { get; init; }
    [JsonConverter(typeof(RucioIsoDateJsonConverter))] public DateTimeOffset? DeletedAt { get; init; }
    [JsonConverter(typeof(RucioIsoDateJsonConverter))] public DateTimeOffset CreatedAt { get; init; }
    [JsonConverter(typeof(RucioIsoDateJsonConverter))] public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>One line of <c>GET /accounts/</c>: the listing calls the account type "type", the single account "account_type".</summary>
public sealed record RucioAccountSummary
{
    public required string Account { get; init; }
    public required string Type { get; init; }
    public string? Email { get; init; }
}

/// <summary>One line of <c>GET /accounts/{account}/identities</c>; <c>type</c> is the auth type (USERPASS, X509, OIDC, …).</summary>
public sealed record RucioIdentity
{
    public required string Type { get; init; }
    public required string Identity { get; init; }
    public string? Email { get; init; }
}

/// <summary>One entry of <c>GET /scopes/owner</c>.</summary>
public sealed record RucioScopeOwner
{
    public required string Scope { get; init; }
    public required string Account { get; init; }
}

/// <summary>
/// One line of an account's local usage (<c>GET /accounts/{account}/usage/local[/{rse}]</c>). A missing limit is 0, as in
/// Rucio; an unlimited one is <see cref="long.MaxValue"/> in both limit and remaining (Rucio's Infinity is not JSON).
/// </summary>
public sealed record RucioAccountUsage
{
    public required string RseId { get; init; }
    public required string Rse { get; init; }
    public long Bytes { get; init; }
    public long Files { get; init; }
    [JsonConverter(typeof(RucioLimitJsonConverter))] public long BytesLimit { get; init; }
    [JsonConverter(typeof(RucioLimitJsonConverter))] public long BytesRemaining { get; init; }
}

/// <summary>One line of an account's usage under its global (RSE expression) limits, <c>GET /accounts/{account}/usage/global</c>.</summary>
public sealed record RucioAccountGlobalUsage
{
    public required string RseExpression { get; init; }
    public long Bytes { get; init; }
    public long Files { get; init; }
    [JsonConverter(typeof(RucioLimitJsonConverter))] public long BytesLimit { get; init; }
    [JsonConverter(typeof(RucioLimitJsonConverter))] public long BytesRemaining { get; init; }
}

/// <summary>
/// The value of one expression in <c>GET /accounts/{account}/limits/global</c>, which is a map from RSE expression to
/// this. An RSE that the expression names but the catalogue no longer has shows a null id.
/// </summary>
public sealed record RucioGlobalLimit
{
    public required List<string> ResolvedRses { get; init; }
    public required List<string?> ResolvedRseIds { get; init; }
    [JsonConverter(typeof(RucioLimitJsonConverter))] public long Limit { get; init; }
}

/// <summary>A date as Rucio writes the account's: ISO 8601 in UTC without a zone ("2026-12-07T12:00:00"); read in any spelling.</summary>
public sealed class RucioIsoDateJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? Time.RucioTime.Parse(reader.GetString()!)
            : throw new JsonException("A Rucio date must be a string");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Time.RucioTime.FormatIso(value));
}

/// <summary>
/// A quota in bytes. Ferry writes an unlimited one as <see cref="long.MaxValue"/>; Rucio's Python server writes
/// Infinity, which the SDK's reader turns into the string "Infinity" (it is not JSON), so that reads as the same.
/// </summary>
public sealed class RucioLimitJsonConverter : JsonConverter<long>
{
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.TryGetInt64(out var n) ? n : reader.GetDouble() >= long.MaxValue ? long.MaxValue : (long)reader.GetDouble(),
        JsonTokenType.String when reader.GetString() is "Infinity" or "inf" => long.MaxValue,
        _ => throw new JsonException("A Rucio limit must be a number or Infinity"),
    };

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) => writer.WriteNumberValue(value);

    /// <summary>A limit that is a value of a map (an account's local limits), read as a property would be.</summary>
    public static long Of(JsonElement value) => value.ValueKind == JsonValueKind.String && value.GetString() is "Infinity" or "inf" ? long.MaxValue
        : value.TryGetInt64(out var n) ? n : value.GetDouble() >= long.MaxValue ? long.MaxValue : (long)value.GetDouble();
}
