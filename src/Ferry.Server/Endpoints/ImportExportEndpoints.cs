using System.Text.Json.Nodes;
using Ferry.Catalog.Rses;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Paths;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// Rucio's <c>/export</c> and <c>/import</c> of the RSE topology: RSEs with their settings, attributes and protocols, and
/// the distances between them. Import writes settings, attributes and distances; it never adds, changes or removes a
/// protocol (that would repoint storage that may hold replicas), so a protocol in the document must already be there.
/// The whole document is checked before anything is written.
/// </summary>
internal static class ImportExportEndpoints
{
    private const string Tag = "Import/Export";

    // Keys the export writes that are not settings: the import accepts them back and leaves them alone.
    // "availability" goes too: the export also writes the three flags it sums, and those are what is imported.
    private static readonly HashSet<string> ReadOnly = ["id", "rse", "vo", "created_at", "updated_at", "deleted", "deleted_at", "lfn2pfn_algorithm",
        "verify_checksum", "credentials", "domain", "sign_url", "MinFreeSpace", "availability"];

    public static void MapImportExport(this IEndpointRouteBuilder app)
    {
        app.Map("GET", "/export", async ctx =>
        {
            var rses = ctx.RequestServices.GetRequiredService<RseCatalog>();
            var exported = new Dictionary<string, RucioRseInfo>();
            foreach (var rse in await rses.ListAsync())
                exported[rse.Name] = await RseEndpoints.RseInfo(ctx, rse.Name) with { Attributes = WireFormat.Attributes(await rses.AttributesAsync(rse.Name)) };
            // Export's distances are the bare rows: no names (they are the keys) and no ranking.
            var distances = string.Equals(ctx.Query("distance"), "false", StringComparison.OrdinalIgnoreCase) ? null
                : (await rses.AllDistancesAsync()).GroupBy(d => d.SrcRse).ToDictionary(g => g.Key, g => g.ToDictionary(d => d.DestRse,
                    d => WireFormat.Distance(d) with { SrcRse = null, DestRse = null, Ranking = null }));
            return RucioResults.Json(new RucioExport { Rses = exported, Distances = distances });
        }, "Export", Tag);

        app.Map("POST", "/import", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            if (body.Select(p => p.Key).FirstOrDefault(k => k is not ("rses" or "distances")) is { } other)
                throw FerryException.Invalid($"Ferry imports rses and distances, not '{other}'");
            var rses = ctx.RequestServices.GetRequiredService<RseCatalog>();
            var existing = (await rses.ListAsync()).Select(r => r.Name).ToHashSet();
            var plan = new List<(string Name, RseSettings Settings, Dictionary<string, string> Attributes)>();
            foreach (var (name, node) in body["rses"] is { } r ? Json.AsObject(r, "rses") : [])
            {
                Names.Rse(name);
                var entry = Json.AsObject(node, $"RSE '{name}'");
                var settings = new JsonObject();
                foreach (var (key, value) in entry)
                    if (key is not ("attributes" or "protocols") && !ReadOnly.Contains(key)) settings[key] = value?.DeepClone();
                if (entry["availability"] is { } sum && !entry.ContainsKey("availability_read") && !entry.ContainsKey("availability_write")
                    && !entry.ContainsKey("availability_delete"))
                    settings["availability"] = sum.DeepClone();
                var attributes = (entry["attributes"] is { } a ? Json.AsObject(a, $"attributes of '{name}'") : [])
                    .ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString() ?? "");
                await RequireKnownProtocols(rses, name, existing.Contains(name), entry["protocols"]);
                var parsed = RseEndpoints.Settings(settings);
                // What the catalogue would refuse is refused here, before the first write, so a bad document changes nothing.
                if (parsed.RseType is not (null or "DISK" or "TAPE")) throw FerryException.Invalid($"rse_type of '{name}' must be DISK or TAPE, not '{parsed.RseType}'");
                foreach (var (key, value) in attributes)
                {
                    RseCatalog.ValidateAttribute(key, value);
                    if (key == Catalog.Transfers.StagingCatalog.Attribute)
                        throw FerryException.Invalid($"Import does not set {key}: use POST /rses/{name}/attr/{key}, which checks the buffer");
                }
                plan.Add((name, parsed, attributes));
            }
            var distances = new List<(string Src, string Dst, int Distance)>();
            foreach (var (src, row) in body["distances"] is { } d ? Json.AsObject(d, "distances") : [])
                foreach (var (dst, cell) in Json.AsObject(row, $"distances from '{src}'"))
                {
                    var o = Json.AsObject(cell, $"distance {src} -> {dst}");
                    var value = o.OptLong("distance") ?? o.OptLong("ranking") ?? throw new FerryException("KeyError", 400, $"'distance' not defined for {src} -> {dst}");
                    if (value is < 0 or > int.MaxValue) throw FerryException.Invalid($"Invalid distance {value} for {src} -> {dst}");
                    foreach (var n in new[] { src, dst })
                        if (!existing.Contains(n) && plan.All(p => p.Name != n)) throw FerryException.RseNotFound(n);
                    distances.Add((src, dst, (int)value));
                }
            foreach (var (name, settings, attributes) in plan)
            {
                if (existing.Contains(name)) await rses.UpdateAsync(name, settings);
                else await rses.AddAsync(name, settings);
                foreach (var (key, value) in attributes) await rses.SetAttributeAsync(name, key, value);
            }
            foreach (var (src, dst, value) in distances) await rses.SetDistanceAsync(src, dst, value, bidirectional: false, mustBeNew: false);
            await Wire.Created(ctx);
        }, "Import", Tag);
    }

    private static async Task RequireKnownProtocols(RseCatalog rses, string name, bool exists, JsonNode? protocols)
    {
        if (protocols is null) return;
        var known = exists ? await rses.ProtocolsAsync((await rses.GetAsync(name)).Id) : [];
        foreach (var p in protocols as JsonArray ?? throw new FerryException("TypeError", 400, $"protocols of '{name}' must be a list"))
        {
            var o = Json.AsObject(p, $"a protocol of '{name}'");
            var scheme = o.OptString("scheme");
            var hostname = o.OptString("hostname");
            var port = o.OptLong("port") ?? 0;
            var prefix = o.OptString("prefix");
            if (!known.Any(k => k.Scheme == scheme && k.Hostname == hostname && k.Port == port && (prefix is null || Lfn2Pfn.NormalisePrefix(k.Prefix) == Lfn2Pfn.NormalisePrefix(prefix))))
                throw FerryException.Invalid($"Import does not add or change protocols ({scheme}://{hostname}:{port} on '{name}'): use POST /rses/{name}/protocols/{scheme}");
        }
    }
}
