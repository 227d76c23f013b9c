using System.Text.Json;

namespace Ferry.Core.Model;

/// <summary>How an RSE protocol's "domains" object ranks an operation; shared by the server and the client.</summary>
public static class ProtocolPriority
{
    /// <summary>
    /// The lowest priority for <paramref name="operation"/> (read, write, delete) over lan or wan; null when no domain
    /// enables it. As in Rucio 41, null (or no key) means "not offered" and 0 is the highest priority: Rucio's own
    /// tests give their RSEs 0 everywhere and expect PFNs for them. A protocol without a domains object is taken as
    /// enabled with priority 1.
    /// </summary>
    public static int? Of(JsonElement domains, string operation)
    {
        if (domains.ValueKind != JsonValueKind.Object) return 1;
        int? best = null;
        foreach (var d in domains.EnumerateObject())
            // A priority that is not a whole number (stored before input was checked) counts as not enabling the operation.
            if (d.Value.ValueKind == JsonValueKind.Object && d.Value.TryGetProperty(operation, out var v) && v.ValueKind == JsonValueKind.Number
                && v.TryGetInt32(out var priority) && priority >= 0)
                best = best is null ? priority : Math.Min(best.Value, priority);
        return best;
    }

    /// <summary>The same ranking over a typed domains object (a dialect protocol as read by the SDK); null domains offer everything at 1.</summary>
    public static int? Of(IReadOnlyDictionary<string, Dictionary<string, int?>>? domains, string operation)
    {
        if (domains is null) return 1;
        int? best = null;
        foreach (var ops in domains.Values)
            if (ops?.GetValueOrDefault(operation) is >= 0 and var priority)
                best = best is null ? priority : Math.Min(best.Value, priority);
        return best;
    }

    /// <summary>Why a protocol's "domains" cannot be used, or null: an object of domains (lan, wan) whose operations have whole-number priorities.</summary>
    public static string? Problem(JsonElement domains)
    {
        if (domains.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        if (domains.ValueKind != JsonValueKind.Object) return "'domains' must be an object like {\"wan\": {\"read\": 1, \"write\": 1, \"delete\": 1}}";
        foreach (var d in domains.EnumerateObject())
        {
            if (d.Value.ValueKind != JsonValueKind.Object) return $"'domains.{d.Name}' must be an object of operation priorities";
            foreach (var op in d.Value.EnumerateObject())
                if (op.Value.ValueKind != JsonValueKind.Null && (op.Value.ValueKind != JsonValueKind.Number || !op.Value.TryGetInt32(out var n) || n < 0))
                    return $"'domains.{d.Name}.{op.Name}' must be a whole number from 0 (the highest priority) up, or null (not offered)";
        }
        return null;
    }
}
