using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Selection;
using Ferry.Server.Http;

namespace Ferry.Server.Endpoints;

/// <summary>The selection as POST /ferry/data/select takes it; every field optional, unknown fields refused.</summary>
internal static class DataSelectionJson
{
    private static readonly HashSet<string> Fields =
    [
        "scopes", "pattern", "type", "dids", "meta", "created_after", "created_before", "has_rule_on", "no_rule_on", "has_replica_on",
        "no_replica_on", "never_had_rule_on", "rule_expires_within", "container_satisfies", "any", "after", "limit",
    ];

    public static DataSelection Parse(JsonObject o)
    {
        foreach (var key in o.Select(p => p.Key))
            if (!Fields.Contains(key)) throw FerryException.Invalid($"Unknown selection field '{Names.Printable(key)}'");
        return new DataSelection
        {
            Scopes = Strings(o, "scopes"), Pattern = o.OptString("pattern"),
            Type = o.OptString("type") is { } t ? DataSelection.ParseType(t) : SelectionType.Dataset,
            Dids = o.OptArray("dids")?.Select(n => Json.AsObject(n, "Each DID")).Select(d => new DidRef(Names.Scope(d.RequiredString("scope")), Names.DidName(d.RequiredString("name")))).ToList(),
            Meta = o["meta"] switch
            {
                null => [],
                JsonObject m => m.Select(p => new KeyValuePair<string, string>(p.Key, Text(p.Value))).ToList(),
                JsonArray l => l.Select(n => Json.AsObject(n, "Each of 'meta'")).Select(p => new KeyValuePair<string, string>(p.RequiredString("key"), Text(p["value"]))).ToList(),
                _ => throw FerryException.Invalid("'meta' must be a list of {key, value} or an object of key: value"),
            },
            CreatedAfter = o.OptString("created_after") is { } a ? DataSelection.ParseDate(a, "created_after") : null,
            CreatedBefore = o.OptString("created_before") is { } b ? DataSelection.ParseDate(b, "created_before") : null,
            HasRuleOn = Strings(o, "has_rule_on"), NoRuleOn = Strings(o, "no_rule_on"), HasReplicaOn = Strings(o, "has_replica_on"),
            NoReplicaOn = Strings(o, "no_replica_on"), NeverHadRuleOn = Strings(o, "never_had_rule_on"),
            RuleExpiresWithinSeconds = o.OptLong("rule_expires_within"), ContainerSatisfies = o.OptBool("container_satisfies") ?? false, Any = o.OptBool("any") ?? false,
        };
    }

    private static string Text(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : n?.ToJsonString() ?? "null";

    private static IReadOnlyList<string> Strings(JsonObject o, string key) =>
        (o.OptArray(key) ?? []).Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
            : throw FerryException.Invalid($"'{key}' must be a list of strings")).ToList();
}
