using System.Text.Json;
using Ferry.Client.Http;

namespace Ferry.Agent.Downloads;

internal static class ReplicaSources
{
    /// <summary>PFNs of one file from /replicas/list, in the server's order of preference, with their RSE.</summary>
    public static List<(string Pfn, string Rse)> Of(JsonElement replica) =>
        replica.TryGetProperty("pfns", out var pfns) && pfns.ValueKind == JsonValueKind.Object
            ? pfns.EnumerateObject().OrderBy(p => p.Value.Long("priority") ?? long.MaxValue).Select(p => (p.Name, p.Value.Str("rse") ?? "")).ToList()
            : [];
}
