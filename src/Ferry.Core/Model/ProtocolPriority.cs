using System.Text.Json;

namespace Ferry.Core.Model;

/// <summary>How an RSE protocol's "domains" object ranks an operation; shared by the server and the client.</summary>
public static class ProtocolPriority
{
    /// <summary>
    /// The lowest priority for <paramref name="operation"/> (read, write, delete) over lan or wan; null when no domain
    /// enables it. 0 meant "disabled" before Rucio 39 and Ferry never emits it, so treating it as disabled is safe for
    /// both. A protocol without a domains object is taken as enabled with priority 1.
    /// </summary>
    public static int? Of(JsonElement domains, string operation)
    {
        if (domains.ValueKind != JsonValueKind.Object) return 1;
        int? best = null;
        foreach (var d in domains.EnumerateObject())
            if (d.Value.ValueKind == JsonValueKind.Object && d.Value.TryGetProperty(operation, out var v) && v.ValueKind == JsonValueKind.Number && v.GetInt32() > 0)
                best = best is null ? v.GetInt32() : Math.Min(best.Value, v.GetInt32());
        return best;
    }
}
