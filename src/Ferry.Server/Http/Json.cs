using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;

namespace Ferry.Server.Http;

/// <summary>Typed reads of request fields with Rucio's error classes and messages a person can act on.</summary>
public static class Json
{
    public static JsonNode Required(this JsonObject o, string key) =>
        o[key] ?? (o.ContainsKey(key) ? throw Bad(key, "must not be null") : throw new FerryException("KeyError", 400, $"'{key}' not defined"));

    public static string RequiredString(this JsonObject o, string key) => AsString(o.Required(key), key);

    public static string? OptString(this JsonObject o, string key) => o[key] is { } n ? AsString(n, key) : null;

    public static long? OptLong(this JsonObject o, string key)
    {
        if (o[key] is not JsonValue v) return o[key] is null ? null : throw Bad(key, "must be a number");
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<double>(out var d) && !double.IsNaN(d) && Math.Abs(d) < 9e15) return (long)Math.Ceiling(d);
        if (v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p)) return p;
        throw Bad(key, "must be a number");
    }

    public static bool? OptBool(this JsonObject o, string key)
    {
        if (o[key] is not JsonValue v) return o[key] is null ? null : throw Bad(key, "must be true or false");
        if (v.TryGetValue<bool>(out var b)) return b;
        if (v.TryGetValue<string>(out var s) && bool.TryParse(s, out var p)) return p;
        if (v.TryGetValue<long>(out var n) && n is 0 or 1) return n == 1;
        throw Bad(key, "must be true or false");
    }

    public static JsonArray? OptArray(this JsonObject o, string key) =>
        o[key] switch { null => null, JsonArray a => a, _ => throw Bad(key, "must be a list") };

    public static JsonObject AsObject(JsonNode? n, string what) => n as JsonObject ?? throw new FerryException("TypeError", 400, $"{what} must be a JSON object");

    public static string AsString(JsonNode n, string key) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Bad(key, "must be a string");

    private static FerryException Bad(string key, string what) => new("InvalidObject", 400, $"'{key}' {what}");

    /// <summary>
    /// A request value as a JsonElement. JSON may escape an unpaired surrogate ("\uD800"), which parses but is not text
    /// and cannot be written back out: that is the caller's bad input, not a server error.
    /// </summary>
    public static JsonElement ToElement(this JsonNode? node)
    {
        try { return JsonSerializer.SerializeToElement(node); }
        catch (JsonException) { throw new FerryException("InvalidObject", 400, "The request holds a string that is not valid Unicode (an unpaired surrogate escape such as \\uD800)"); }
    }

    public static IReadOnlyDictionary<string, JsonElement>? OptMeta(this JsonObject o, string key) =>
        o[key] switch
        {
            null => null,
            JsonObject m => m.ToDictionary(p => p.Key, p => p.Value.ToElement()),
            _ => throw Bad(key, "must be an object"),
        };
}
