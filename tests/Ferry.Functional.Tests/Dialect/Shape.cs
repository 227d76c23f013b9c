using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// Asserts that a JSON object has exactly the keys of a shape, each with its JSON type. A shape is written
/// "key:type key:type ...", with types s (string), i (integer), f (number), b (boolean), o (object), a (list),
/// d (RFC-1123 UTC date, as Rucio renders dates), iso (%Y-%m-%dT%H:%M:%S) and n (null); a trailing ? allows null.
/// </summary>
public static partial class Shape
{
    public static void Assert(JsonElement obj, string shape, string what)
    {
        Xunit.Assert.True(obj.ValueKind == JsonValueKind.Object, $"{what} is not a JSON object: {obj}");
        var expected = Parse(shape);
        var actual = obj.EnumerateObject().Select(p => p.Name).ToHashSet();
        var missing = expected.Keys.Where(k => !actual.Contains(k)).Order().ToList();
        var extra = actual.Where(k => !expected.ContainsKey(k)).Order().ToList();
        Xunit.Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{what}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}] in {obj}");
        foreach (var (key, type) in expected)
            Xunit.Assert.True(Matches(obj.GetProperty(key), type), $"{what}.{key} should be '{type}' but is {obj.GetProperty(key).GetRawText()}");
    }

    /// <summary>The keys of a shape, for composing one shape from another.</summary>
    public static Dictionary<string, string> Parse(string shape) =>
        shape.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split(':'))
            .ToDictionary(p => p[0], p => p[1]);

    private static bool Matches(JsonElement v, string type)
    {
        if (type.EndsWith('?')) return v.ValueKind == JsonValueKind.Null || Matches(v, type[..^1]);
        return type switch
        {
            "s" => v.ValueKind == JsonValueKind.String,
            "i" => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _),
            "f" => v.ValueKind == JsonValueKind.Number,
            "b" => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "o" => v.ValueKind == JsonValueKind.Object,
            "a" => v.ValueKind == JsonValueKind.Array,
            "n" => v.ValueKind == JsonValueKind.Null,
            "d" => v.ValueKind == JsonValueKind.String && Rfc1123().IsMatch(v.GetString()!),
            "iso" => v.ValueKind == JsonValueKind.String && Iso().IsMatch(v.GetString()!),
            _ => throw new ArgumentException($"unknown shape type '{type}'"),
        };
    }

    [GeneratedRegex(@"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} UTC$")] private static partial Regex Rfc1123();
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")] private static partial Regex Iso();
}
