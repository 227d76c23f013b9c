using System.Text.Json;
using System.Text.Json.Serialization;
using Ferry.Core.Errors;

namespace Ferry.Core.Policies;

/// <summary>
/// One JSON shape for filters and rule templates, on the wire and in the catalogue: snake_case keys, enums as upper
/// case words (DATASET, NONE), unknown keys refused so that a typo ("scope" for "scopes") is not silently ignored.
/// </summary>
public static class PolicyJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false) },
    };

    public static T Read<T>(JsonElement json, string what)
    {
        try
        {
            return json.Deserialize<T>(Options) ?? throw FerryException.Invalid($"{what} is missing");
        }
        catch (JsonException e)
        {
            throw FerryException.Invalid($"{what} is malformed: {e.Message}");
        }
    }

    public static T Read<T>(string json, string what) => Read<T>(JsonDocument.Parse(json).RootElement, what);

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);
}
