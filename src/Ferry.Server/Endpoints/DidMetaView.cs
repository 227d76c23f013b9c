using System.Text.Json;
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
    /// <summary>Rucio's DID columns that Ferry keeps as metadata rather than as catalogue columns.</summary>
    private static readonly HashSet<string> ColumnKeys =
    [
        "project", "datatype", "run_number", "stream_name", "prod_step", "version", "campaign", "task_id", "panda_id", "lumiblocknr",
        "provenance", "phys_group", "is_new", "hidden", "transient", "purge_replicas", "eol_at", "is_archive", "constituent",
    ];

    /// <summary>The plugin asked for, upper case; an unknown one is refused as Rucio refuses it.</summary>
    public static string Plugin(string? asked)
    {
        var plugin = (asked ?? "DID_COLUMN").ToUpperInvariant();
        return plugin is "DID_COLUMN" or "JSON" or "ALL" ? plugin
            : throw FerryException.Invalid($"Unsupported metadata plugin '{asked}': use DID_COLUMN, JSON or ALL");
    }

    public static Dictionary<string, object?> Of(Did did, IReadOnlyDictionary<string, JsonElement> meta, string plugin)
    {
        var result = new Dictionary<string, object?>();
        if (plugin is "DID_COLUMN" or "ALL")
        {
            foreach (var (k, v) in WireFormat.DidColumns(did)) result[k] = v;
            foreach (var (k, v) in meta) if (ColumnKeys.Contains(k)) result[k] = v;
        }
        if (plugin is "JSON" or "ALL") foreach (var (k, v) in meta) if (!ColumnKeys.Contains(k)) result[k] = v;
        return result;
    }

    /// <summary>One line of a bulk answer: the JSON view names its DID first, as Rucio's does.</summary>
    public static Dictionary<string, object?> Bulk(Did did, IReadOnlyDictionary<string, JsonElement> meta, string plugin)
    {
        if (plugin == "DID_COLUMN") return Of(did, meta, plugin);
        var result = new Dictionary<string, object?> { ["scope"] = did.Scope, ["name"] = did.Name };
        foreach (var (k, v) in Of(did, meta, plugin)) result.TryAdd(k, v);
        return result;
    }
}
