using System.Text.Json;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Server.Http;

namespace Ferry.Server.Endpoints;

/// <summary>
/// A DID's metadata as Rucio's metadata plugins show it. Rucio keeps some keys (project, datatype, run_number, ...)
/// as columns of its DID table and the rest in a JSON document; Ferry keeps both kinds in did_meta, so the
/// DID_COLUMN view lays the column keys over the DID's columns and the JSON view shows only the others.
/// </summary>
internal static class DidMetaView
{
    /// <summary>
    /// Rucio's DID columns that Ferry keeps as metadata rather than as catalogue columns, each with where it goes in the
    /// DID_COLUMN view. A key that is not here is free-form and shows in the JSON view.
    /// </summary>
    private static readonly Dictionary<string, Func<RucioDidColumns, JsonElement, RucioDidColumns>> ColumnKeys = new()
    {
        ["project"] = (c, v) => c with { Project = v }, ["datatype"] = (c, v) => c with { Datatype = v }, ["run_number"] = (c, v) => c with { RunNumber = v },
        ["stream_name"] = (c, v) => c with { StreamName = v }, ["prod_step"] = (c, v) => c with { ProdStep = v }, ["version"] = (c, v) => c with { Version = v },
        ["campaign"] = (c, v) => c with { Campaign = v }, ["task_id"] = (c, v) => c with { TaskId = v }, ["panda_id"] = (c, v) => c with { PandaId = v },
        ["lumiblocknr"] = (c, v) => c with { Lumiblocknr = v }, ["provenance"] = (c, v) => c with { Provenance = v },
        ["phys_group"] = (c, v) => c with { PhysGroup = v }, ["is_new"] = (c, v) => c with { IsNew = v }, ["hidden"] = (c, v) => c with { Hidden = v },
        ["transient"] = (c, v) => c with { Transient = v }, ["purge_replicas"] = (c, v) => c with { PurgeReplicas = v }, ["eol_at"] = (c, v) => c with { EolAt = v },
        ["is_archive"] = (c, v) => c with { IsArchive = v }, ["constituent"] = (c, v) => c with { Constituent = v },
    };

    /// <summary>The plugin asked for, upper case; an unknown one is refused as Rucio refuses it.</summary>
    public static string Plugin(string? asked)
    {
        var plugin = (asked ?? "DID_COLUMN").ToUpperInvariant();
        return plugin is "DID_COLUMN" or "JSON" or "ALL" ? plugin
            : throw FerryException.Invalid($"Unsupported metadata plugin '{asked}': use DID_COLUMN, JSON or ALL");
    }

    /// <summary>The DID_COLUMN view: the DID's columns, with the column keys set as metadata laid over them.</summary>
    public static RucioDidColumns Columns(Did did, IReadOnlyDictionary<string, JsonElement> meta)
    {
        var columns = WireFormat.DidColumns(did);
        foreach (var (k, v) in meta) if (ColumnKeys.TryGetValue(k, out var lay)) columns = lay(columns, v);
        return columns;
    }

    /// <summary>The JSON view (the free-form keys) or the ALL view (the columns, then the free-form keys): maps, as their keys are the user's.</summary>
    public static Dictionary<string, JsonElement> Map(Did did, IReadOnlyDictionary<string, JsonElement> meta, string plugin)
    {
        var result = new Dictionary<string, JsonElement>();
        if (plugin == "ALL")
            foreach (var p in JsonSerializer.SerializeToElement(Columns(did, meta), DialectJson.Default.RucioDidColumns).EnumerateObject()) result[p.Name] = p.Value;
        foreach (var (k, v) in meta) if (!ColumnKeys.ContainsKey(k)) result[k] = v;
        return result;
    }

    /// <summary>One line of a bulk answer in the JSON or ALL view, which names its DID first, as Rucio's does.</summary>
    public static Dictionary<string, JsonElement> Bulk(Did did, IReadOnlyDictionary<string, JsonElement> meta, string plugin)
    {
        var result = new Dictionary<string, JsonElement>
        {
            ["scope"] = JsonSerializer.SerializeToElement(did.Scope, DialectJson.Default.String),
            ["name"] = JsonSerializer.SerializeToElement(did.Name, DialectJson.Default.String),
        };
        foreach (var (k, v) in Map(did, meta, plugin)) result.TryAdd(k, v);
        return result;
    }
}
