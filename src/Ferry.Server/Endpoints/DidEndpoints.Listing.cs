using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Rules;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Time;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>The DID API's listings of a scope: Rucio's scope listing and its DID search (plain, long and recursive).</summary>
internal static partial class DidEndpoints
{
    /// <summary>
    /// Rucio's scope listing: without a name, the scope's top DIDs (level 0), each followed by its content when
    /// recursive; with a name, that DID's content (level 1 and, when recursive, below). Children name their parent.
    /// </summary>
    private static async Task ScopeListing(HttpContext ctx, string scope)
    {
        var catalog = ctx.RequestServices.GetRequiredService<DidCatalog>();
        var recursive = ctx.QueryBool("recursive");
        var lines = new List<Dictionary<string, object?>>();
        if (ctx.Query("name") is { Length: > 0 } name)
            await Drill(catalog, await catalog.GetAsync(Names.Scope(scope), name), 0, recursive, lines);
        else
            foreach (var d in await catalog.TopDidsAsync(Names.Scope(scope)))
            {
                lines.Add(new() { ["scope"] = d.Scope, ["name"] = d.Name, ["type"] = d.Type.Wire(), ["parent"] = null, ["level"] = 0, ["bytes"] = d.Type == DidType.File ? d.Bytes : null });
                if (recursive) await Drill(catalog, d, 0, true, lines);
            }
        await Wire.WriteStream(ctx, lines);
    }

    private static async Task Drill(DidCatalog catalog, Core.Model.Did parent, int level, bool recursive, List<Dictionary<string, object?>> lines)
    {
        // Attaching refuses cycles; the bound only keeps a corrupt catalogue from looping.
        if (parent.Type == DidType.File || level >= 50) return;
        foreach (var child in (await catalog.ContentAsync(parent.Scope, parent.Name)).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            lines.Add(new() { ["scope"] = child.Scope, ["name"] = child.Name, ["type"] = child.Type.Wire(),
                ["parent"] = new Dictionary<string, object?> { ["scope"] = parent.Scope, ["name"] = parent.Name }, ["level"] = level + 1 });
            if (recursive && child.Type != DidType.File)
                await Drill(catalog, await catalog.GetAsync(child.Scope, child.Name), level + 1, true, lines);
        }
    }

    [GeneratedRegex(@"['""]name['""]\s*:\s*['""]([^'""]*)['""]")] private static partial Regex NameFilter();
    [GeneratedRegex(@"['""]type['""]\s*:\s*['""]([^'""]*)['""]")] private static partial Regex TypeFilter();

    /// <summary>The filters parameter is a Python literal; Ferry reads its name pattern and type, which is what the clients send.</summary>
    private static async Task Search(HttpContext ctx, string scope)
    {
        var filters = ctx.Query("filters") ?? "";
        var pattern = NameFilter().Match(filters) is { Success: true } m ? m.Groups[1].Value : ctx.Query("name") ?? "*";
        var typeText = (TypeFilter().Match(filters) is { Success: true } t ? t.Groups[1].Value : ctx.Query("type") ?? "collection").ToLowerInvariant();
        DidType[] types = typeText switch
        {
            "all" => [DidType.File, DidType.Dataset, DidType.Container],
            "collection" => [DidType.Dataset, DidType.Container],
            "dataset" => [DidType.Dataset], "container" => [DidType.Container], "file" => [DidType.File],
            _ => throw FerryException.Conflict("UnsupportedOperation", $"Unknown DID type '{typeText}': use all, collection, dataset, container or file"),
        };
        int? limit = int.TryParse(ctx.Query("limit"), out var l) && l > 0 ? l : null;
        var catalog = ctx.RequestServices.GetRequiredService<DidCatalog>();
        var equals = EqualityFilters(filters);
        if (equals.Count > 0 && ctx.QueryBool("recursive"))
            throw FerryException.Invalid("A recursive DID search takes only name and type filters in Ferry");
        var found = ctx.QueryBool("recursive")
            ? await SearchRecursive(catalog, Names.Scope(scope), pattern, types, limit, 0)
            : await catalog.SearchAsync(Names.Scope(scope), pattern, types, limit, equals);
        if (ctx.QueryBool("long"))
            await RucioResults.Stream(found.Select(d => new RucioDidSearchResult
                { Scope = d.Scope, Name = d.Name, DidType = d.Type.Wire(), Bytes = d.Bytes, Length = d.Length })).ExecuteAsync(ctx);
        else await RucioResults.Stream(found.Select(d => d.Name)).ExecuteAsync(ctx);
    }

    /// <summary>
    /// The filters besides name and type: guid and metadata keys, compared for equality, and Rucio's creation-date
    /// bounds (created_after, created_before, dates as Rucio's client writes them). A filter Ferry cannot apply
    /// (a comparison such as length.gt, a date range, several OR-ed groups) is refused, never ignored: ignoring it
    /// would answer with DIDs the caller excluded.
    /// </summary>
    private static Dictionary<string, string> EqualityFilters(string filters)
    {
        if (filters.Contains("}, {", StringComparison.Ordinal) || filters.Contains("},{", StringComparison.Ordinal))
            throw FerryException.Invalid("Several OR-ed filter groups are not supported by Ferry's DID search");
        var equals = new Dictionary<string, string>();
        foreach (Match m in FilterPair().Matches(filters))
        {
            var key = m.Groups[1].Value;
            var value = m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value;
            if (key is "name" or "type") continue;
            if (key.Contains('.') || key is "length" or "bytes" or "created_at" or "updated_at")
                throw FerryException.Invalid($"The DID search filter '{key}' is not supported by Ferry: it filters on name, type, guid, created_after, created_before and metadata equality");
            if (key is "created_after" or "created_before") value = RucioTime.Format(RucioTime.Parse(value));
            equals[key] = value;
        }
        return equals;
    }

    [GeneratedRegex(@"['""]([\w.]+)['""]\s*:\s*(?:['""]([^'""]*)['""]|([\w.+-]+))")] private static partial Regex FilterPair();

    /// <summary>
    /// Rucio's recursive search: what matches, and for each matching collection, its content that is of the types asked
    /// (searched by name in the content's own scope, and so on down). Children come before their parents, as Rucio
    /// lists them. The depth is bounded so that a deep hierarchy cannot keep a request busy without end.
    /// </summary>
    private static async Task<IReadOnlyList<Core.Model.Did>> SearchRecursive(DidCatalog catalog, string scope, string pattern, DidType[] types, int? limit, int depth)
    {
        var level = await catalog.SearchAsync(scope, pattern, types, limit);
        if (depth >= 20) return level;
        var result = new List<Core.Model.Did>();
        foreach (var d in level.Where(d => d.Type != DidType.File))
            foreach (var child in await catalog.ContentAsync(d.Scope, d.Name))
                result.AddRange(await SearchRecursive(catalog, child.Scope, child.Name, types, limit, depth + 1));
        result.AddRange(level);
        return result;
    }
}
