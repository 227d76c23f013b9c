using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;

namespace Ferry.Server.Http;

/// <summary>
/// A protocol's "domains" object as the dialect checks and shows it: domains lan and wan, operations read, write, delete
/// (and the third-party-copy pair, which Rucio keeps once per protocol and shows under wan), priorities whole numbers
/// from 0 or null for "not offered".
/// </summary>
internal static class ProtocolDomains
{
    private static readonly string[] Names = ["lan", "wan"];
    private static readonly string[] BaseOps = ["read", "write", "delete"];
    private static readonly string[] CopyOps = ["third_party_copy_read", "third_party_copy_write"];

    /// <summary>The flat keys an update may use instead of the nested object (Rucio's column names), and where each lands.</summary>
    public static readonly IReadOnlyDictionary<string, (string Domain, string Op)> FlatKeys = new Dictionary<string, (string, string)>
    {
        ["read_lan"] = ("lan", "read"), ["write_lan"] = ("lan", "write"), ["delete_lan"] = ("lan", "delete"),
        ["read_wan"] = ("wan", "read"), ["write_wan"] = ("wan", "write"), ["delete_wan"] = ("wan", "delete"),
        ["third_party_copy_read"] = ("wan", "third_party_copy_read"), ["third_party_copy_write"] = ("wan", "third_party_copy_write"),
    };

    /// <summary>
    /// Refuses unusable domains with the dialect's classes, in its order: an unknown domain, then an unknown operation,
    /// then a negative priority. A priority that is not a whole number stays InvalidObject (the stored value must be one).
    /// </summary>
    public static void Check(JsonNode? domains)
    {
        if (domains is null) return;
        if (domains is not JsonObject o) throw FerryException.Invalid("'domains' must be an object like {\"wan\": {\"read\": 1, \"write\": 1, \"delete\": 1}}");
        foreach (var (domain, ops) in o)
        {
            if (!Names.Contains(domain))
                throw FerryException.NotFound("RSEProtocolDomainNotSupported", $"The protocol domain '{domain}' is not defined in the schema.");
            if (ops is not JsonObject opsObject) throw FerryException.Invalid($"'domains.{domain}' must be an object of operation priorities");
            foreach (var (op, priority) in opsObject) CheckPriority(domain, op, priority);
        }
    }

    public static void CheckPriority(string domain, string op, JsonNode? priority)
    {
        if (!BaseOps.Contains(op) && !CopyOps.Contains(op))
            throw new FerryException("RSEOperationNotSupported", 400, $"Operation '{op}' not defined in schema.");
        if (priority is null) return;
        if (priority is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) && n < 0)
            throw FerryException.Conflict("RSEProtocolPriorityError", $"The provided priority ({n}) for operation '{op}' in domain '{domain}' is not supported.");
        if (priority is not JsonValue w || w.GetValueKind() != JsonValueKind.Number || !w.TryGetValue<int>(out _))
            throw FerryException.Invalid($"'domains.{domain}.{op}' must be a whole number from 0 (disabled) up");
    }

    /// <summary>
    /// The full object the dialect shows: every domain and operation present, null where not offered. A protocol stored
    /// without domains is one Ferry uses for everything at priority 1, so that is what it shows.
    /// </summary>
    public static JsonObject Show(string? stored)
    {
        var s = stored is null ? null : JsonNode.Parse(stored) as JsonObject;
        JsonNode? At(string domain, string op) => s is null ? JsonValue.Create(1) : (s[domain] as JsonObject)?[op]?.DeepClone();
        var shown = new JsonObject();
        foreach (var domain in Names)
        {
            var d = new JsonObject();
            foreach (var op in BaseOps) d[op] = At(domain, op);
            shown[domain] = d;
        }
        foreach (var op in CopyOps) shown["wan"]![op] = At("wan", op) ?? At("lan", op);
        return shown;
    }
}
