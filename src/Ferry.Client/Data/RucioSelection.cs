using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Ferry.Client.Http;
using Ferry.Core.Identifiers;
using Ferry.Core.Selection;

namespace Ferry.Client.Data;

/// <summary>
/// `ferry data find` and `ferry data files` against a server without Ferry's /ferry/data API (a Rucio server): the
/// base filters go to Rucio's DID search, one request per scope, and the name pattern (a regular expression, which the
/// search cannot evaluate) is applied here. Open datasets, for which the search reports no size, are asked one by one.
/// Rule and replica conditions need the server's catalogue joins and are refused.
/// </summary>
public static class RucioSelection
{
    /// <summary>The first option the DID search cannot evaluate, or null when it can do the whole selection.</summary>
    public static string? Unsupported(DataSelection s) =>
        s.HasRuleOn.Count > 0 ? "--has-rule-on" : s.NoRuleOn.Count > 0 ? "--no-rule-on" : s.HasReplicaOn.Count > 0 ? "--has-replica-on"
        : s.NoReplicaOn.Count > 0 ? "--no-replica-on" : s.NeverHadRuleOn.Count > 0 ? "--never-had-rule-on"
        : s.RuleExpiresWithinSeconds is not null ? "--rule-expires-within" : s.ContainerSatisfies ? "--container-satisfies" : null;

    /// <summary>The search's filters parameter: a Python literal, as Rucio's client writes it (the server reads it with literal_eval).</summary>
    public static string Filters(DataSelection s)
    {
        var sb = new StringBuilder("[{'name': '*'");
        foreach (var (k, v) in s.Meta) sb.Append(", ").Append(Py(k)).Append(": ").Append(Py(v));
        if (s.CreatedAfter is { } a) sb.Append(", 'created_at.gt': ").Append(Py(Date(a)));
        if (s.CreatedBefore is { } b) sb.Append(", 'created_at.lt': ").Append(Py(Date(b)));
        return sb.Append("}]").ToString();
    }

    /// <summary>The search's type: Ferry's "all" means every collection, which Rucio calls "collection" ("all" includes files there).</summary>
    public static string SearchType(SelectionType t) => t switch { SelectionType.Dataset => "dataset", SelectionType.Container => "container", _ => "collection" };

    public static async IAsyncEnumerable<SelectedItem> SelectAsync(FerryClient client, DataSelection s, [EnumeratorCancellation] CancellationToken ct)
    {
        var pattern = s.CompiledPattern();
        var scopes = s.Dids is { } dids ? dids.Select(d => d.Scope).Distinct().ToList()
            : s.Scopes.Count > 0 ? s.Scopes.ToList() : await client.ScopesAsync(ct);
        var wanted = s.Dids?.ToHashSet();
        foreach (var scope in scopes)
        {
            var path = $"dids/{FerryClient.Escape(scope)}/dids/search?type={SearchType(s.Type)}&long=True&filters={FerryClient.Escape(Filters(s))}";
            foreach (var d in await client.ListAsync(HttpMethod.Get, path, Ferry.Core.Dialect.DialectJson.Default.RucioDidSearchResult, ct: ct))
            {
                var name = d.Name;
                if (pattern is not null && !pattern.IsMatch(name)) continue;
                if (wanted is not null && !wanted.Contains(new DidRef(scope, name))) continue;
                long? bytes = d.Bytes, length = d.Length;
                if (bytes is null || length is null)
                {
                    // An open dataset's size is not kept by Rucio; the DID itself, resolved to its files, has it.
                    var full = await client.GetDidAsync(new DidRef(scope, name), "FILE", ct);
                    (bytes, length) = (full.Bytes ?? bytes, full.Length ?? length);
                }
                yield return new SelectedItem
                {
                    Scope = scope, Name = name, Type = d.DidType.ToUpperInvariant(), Length = length ?? 0, Bytes = bytes ?? 0,
                };
            }
        }
    }

    private static string Date(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Py(string v) => "'" + v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
