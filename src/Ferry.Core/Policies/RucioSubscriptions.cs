using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Core.Policies;

/// <summary>
/// Translates Rucio's subscription filter and replication rules (as its clients send them to
/// <c>/subscriptions/{account}/{name}</c>) into Ferry's subscription policy and back. Pure: no I/O.
/// </summary>
/// <remarks>
/// Rucio's <c>pattern</c> is matched with Python's <c>re.match</c>: anchored at the start of the name only. Ferry's
/// <see cref="SubscriptionFilter.NameRegex"/> must match the whole name, so a pattern P becomes <c>(?:P).*</c>, and a
/// name regex R is shown to Rucio's clients as <c>(?:R)$</c>: both directions keep the meaning exactly.
/// Keys Rucio's filter has that Ferry has no meaning for are refused with a 400 rather than dropped silently.
/// </remarks>
public static class RucioSubscriptions
{
    private static readonly HashSet<string> Unsupported = ["split_rule", "min_avail", "did_type_exclusion", "excluded_account"];

    public static SubscriptionFilter Filter(JsonElement filter)
    {
        if (filter.ValueKind != JsonValueKind.Object)
            throw new FerryException("TypeError", 400, "The subscription filter must be a JSON object");
        IReadOnlyList<string> scopes = [], accounts = [];
        List<DidType> types = [];
        string? pattern = null, excluded = null;
        var meta = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var p in filter.EnumerateObject())
        {
            switch (p.Name)
            {
                case "scope": scopes = Strings(p.Value, "scope"); break;
                case "account": accounts = Strings(p.Value, "account"); break;
                case "pattern": pattern = Text(p.Value, "pattern"); break;
                case "excluded_pattern": excluded = Text(p.Value, "excluded_pattern"); break;
                case "did_type":
                    types = Strings(p.Value, "did_type").Select(t => EnumNames.ParseDidType(t)).ToList();
                    break;
                default:
                    if (Unsupported.Contains(p.Name))
                    {
                        // false/null mean "off" in Rucio: harmless to accept.
                        if (p.Value.ValueKind is JsonValueKind.False or JsonValueKind.Null) break;
                        throw FerryException.Invalid($"The subscription filter key '{p.Name}' is not supported by Ferry");
                    }
                    meta[p.Name] = Strings(p.Value, p.Name);
                    break;
            }
        }
        return new SubscriptionFilter
        {
            Scopes = scopes, Accounts = accounts, DidTypes = types, Meta = meta,
            NameRegex = pattern is null ? null : $"(?:{pattern}).*",
            ExcludedRegex = excluded is null ? null : $"(?:{excluded}).*",
        }.Validated();
    }

    public static Dictionary<string, object> FilterView(SubscriptionFilter f)
    {
        var view = new Dictionary<string, object>();
        if (f.Scopes.Count > 0) view["scope"] = f.Scopes;
        if (f.NameRegex is not null) view["pattern"] = Unwrap(f.NameRegex);
        if (f.ExcludedRegex is not null) view["excluded_pattern"] = Unwrap(f.ExcludedRegex);
        if (f.Accounts.Count > 0) view["account"] = f.Accounts;
        if (f.DidTypes.Count > 0) view["did_type"] = f.DidTypes.Select(t => t.Wire()).ToList();
        foreach (var (k, v) in f.Meta) view[k] = v;
        return view;
    }

    // A regex this class made from a Rucio pattern goes back as that pattern; any other as its anchored form.
    private static string Unwrap(string regex) =>
        regex.StartsWith("(?:", StringComparison.Ordinal) && regex.EndsWith(").*", StringComparison.Ordinal) ? regex[3..^3] : $"(?:{regex})$";

    public static List<RuleTemplate> Rules(JsonElement rules)
    {
        if (rules.ValueKind != JsonValueKind.Array)
            throw new FerryException("TypeError", 400, "replication_rules must be a JSON list of rules");
        var list = new List<RuleTemplate>();
        foreach (var r in rules.EnumerateArray())
        {
            if (r.ValueKind != JsonValueKind.Object) throw new FerryException("TypeError", 400, "Each replication rule must be a JSON object");
            string? expression = null, activity = null;
            int copies = 1;
            long? lifetime = null;
            var grouping = RuleGrouping.Dataset;
            foreach (var p in r.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Null) continue;
                switch (p.Name)
                {
                    case "rse_expression": expression = Text(p.Value, p.Name); break;
                    case "activity": activity = Text(p.Value, p.Name); break;
                    case "copies": copies = (int)Math.Clamp(Number(p.Value, p.Name), int.MinValue, int.MaxValue); break; // clamped: the copies check refuses, a cast would wrap
                    case "lifetime": lifetime = Number(p.Value, p.Name); break;
                    case "grouping": grouping = EnumNames.ParseGrouping(Text(p.Value, p.Name)); break;
                    case "comment" or "weight" or "source_replica_expression" or "locked" or "purge_replicas" or "ignore_availability" or "notify":
                        throw FerryException.Invalid($"The replication rule key '{p.Name}' is not supported in Ferry's subscriptions");
                    default: throw FerryException.Invalid($"Unknown replication rule key '{p.Name}'");
                }
            }
            list.Add(new RuleTemplate
            {
                RseExpression = expression ?? throw FerryException.Invalid("Each replication rule needs an rse_expression"),
                Copies = copies, Lifetime = lifetime, Grouping = grouping, Activity = activity,
            }.Validated());
        }
        return list;
    }

    public static List<Dictionary<string, object?>> RulesView(IEnumerable<RuleTemplate> rules) =>
        rules.Select(t => new Dictionary<string, object?>
        {
            ["rse_expression"] = t.RseExpression, ["copies"] = t.Copies, ["lifetime"] = t.Lifetime,
            ["grouping"] = EnumNames.Wire(t.Grouping), ["activity"] = t.Activity,
        }).ToList();

    private static string Text(JsonElement v, string key) =>
        v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new FerryException("TypeError", 400, $"'{key}' must be a string");

    private static long Number(JsonElement v, string key) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : throw new FerryException("TypeError", 400, $"'{key}' must be an integer");

    // Rucio accepts one value or a list of values wherever a filter key takes several.
    private static List<string> Strings(JsonElement v, string key) => v.ValueKind switch
    {
        JsonValueKind.String => [v.GetString()!],
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => [v.ToString()],
        JsonValueKind.Array => v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.ToString()).ToList(),
        _ => throw new FerryException("TypeError", 400, $"The filter key '{key}' takes a string or a list of strings"),
    };
}
