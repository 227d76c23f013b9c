using System.Text.Json.Nodes;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Core.Paths;
using Ferry.Engine.Application.Replicas;
using Ferry.Engine.Storage;
using Ferry.Server.Http;
using Ferry.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>Replicas: bulk add, state updates, deletion and listing with PFNs (dialect §7).</summary>
internal static class ReplicaEndpoints
{
    public static void MapReplicas(this IEndpointRouteBuilder app)
    {
        app.Map("POST", "/replicas", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var files = Files(body, ReplicaState.Available);
            await Requests(ctx).AddAsync(Caller.Of(ctx), body.RequiredString("rse"), files, body.OptBool("ignore_availability") ?? true, ctx.RequestAborted);
            await Wire.Created(ctx);
        }, "AddReplicas", "Replicas");

        app.Map("PUT", "/replicas", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var rse = body.RequiredString("rse");
            var files = Files(body, ReplicaState.Available);
            await Requests(ctx).UpdateStatesAsync(Caller.Of(ctx), rse, files, ctx.RequestAborted);
            await Wire.Ok(ctx);
        }, "UpdateReplicas", "Replicas");

        app.Map("DELETE", "/replicas", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var files = Files(body, ReplicaState.Available).Select(f => (f.Scope, f.Name)).ToList();
            await Requests(ctx).DeleteAsync(Caller.Of(ctx), body.RequiredString("rse"), files);
            await Wire.Ok(ctx);
        }, "DeleteReplicas", "Replicas");

        app.Map("POST", "/replicas/bad", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var list = body.OptArray("replicas") ?? body.OptArray("pfns") ?? throw new FerryException("KeyError", 400, "'replicas' not defined");
            var reason = body.OptString("reason") ?? "declared bad";
            // Rucio's clients name the replicas either as {scope, name, rse} objects or as PFNs (its CLI resolves a DID to PFNs).
            var pfns = list.OfType<JsonValue>().Select(i => Json.AsString(i, "Each PFN")).ToList();
            var named = list.Where(i => i is not JsonValue).Select(item => item is JsonObject o
                ? (Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")), o.RequiredString("rse"))
                : throw new FerryException("InvalidType", 400, "Declare replicas as PFNs or {\"scope\",\"name\",\"rse\"} objects")).ToList();
            var failures = await Requests(ctx).DeclareBadAsync(Caller.Of(ctx), pfns, named, reason);
            await Wire.WriteJson(ctx, failures, 201);
        }, "DeclareBadReplicas", "Replicas").Produces<Dictionary<string, List<string>>>(StatusCodes.Status201Created, Wire.Json);

        app.Map("POST", "/replicas/list", async Task<Results<RucioStream<RucioReplica>, MetalinkResult>> (HttpContext ctx) =>
        {
            var body = await Wire.ReadObject(ctx);
            var dids = (body.OptArray("dids") ?? []).Select(d => Json.AsObject(d, "Each DID"))
                .Select(o => (Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")))).ToList();
            var metalink = ReplicaListing.WantsMetalink(ctx.Request);
            // As the dialect has it: without ignore_availability, replicas on RSEs blocked for reads are left out unless
            // the older 'unavailable' key is given; Rucio's client sends true unless told otherwise, its downloader false.
            var readableOnly = !(body.OptBool("ignore_availability") ?? body.ContainsKey("unavailable"));
            var files = await List(ctx, dids, body.OptBool("all_states") ?? false, body.OptString("rse_expression"), body.OptBool("resolve_parents") ?? false,
                body.OptArray("schemes")?.Select(s => s?.ToString() ?? "").ToHashSet(), readableOnly, body.OptBool("resolve_archives") ?? true);
            if (ReplicaListing.RandomCount(body) is { } n) files = ReplicaListing.PickRandom(files, n, ctx.RequestServices.GetRequiredService<Random>());
            if (metalink) return new MetalinkResult(ReplicaListing.Metalink(files, "generic", detailedUrls: true));
            return RucioResults.Stream(files.Select(ReplicaListing.Json));
        }, "ListReplicas", "Replicas");

        app.Map("GET", "/replicas/{scope}/{name}/datasets", async ctx =>
        {
            var (scope, name) = (Names.Scope(ctx.Route("scope")), Names.DidName(ctx.Route("name")));
            var rows = await DatasetReplicaEndpoints.ListAsync(ctx.RequestServices, scope, name);
            return RucioResults.Stream(rows.Select(r => DatasetReplicaEndpoints.Line(scope, name, r)));
        }, "ListDatasetReplicas", "Replicas");

        app.Map("GET", "/replicas/{scope}/{name}", async Task<Results<RucioStream<RucioReplica>, MetalinkResult>> (HttpContext ctx) =>
        {
            var metalink = ReplicaListing.WantsMetalink(ctx.Request);
            var files = await List(ctx, [(Names.Scope(ctx.Route("scope")), Names.DidName(ctx.Route("name")))], false, null, false,
                ctx.Query("schemes") is { } s ? [s] : null);
            // Rucio's older single-DID form names the atlas schema and leaves domain and client_extract off the urls.
            if (metalink) return new MetalinkResult(ReplicaListing.Metalink(files, "atlas", detailedUrls: false));
            return RucioResults.Stream(files.Select(ReplicaListing.Json));
        }, "ListReplicasOfDid", "Replicas");
    }

    private static List<ReplicaFileSpec> Files(JsonObject body, ReplicaState defaultState)
    {
        var files = body.OptArray("files") ?? throw new FerryException("KeyError", 400, "'files' not defined");
        if (files.Count > ReplicaCatalog.MaxBatch) throw FerryException.Invalid($"At most {ReplicaCatalog.MaxBatch} files per request, got {files.Count}");
        return files.Select(f => ReplicaWire.File(Json.AsObject(f, "Each file"), defaultState)).ToList();
    }

    internal static async Task<List<ListedFile>> List(HttpContext ctx, List<(string, string)> dids, bool allStates, string? rseExpression, bool parents,
        HashSet<string>? schemes, bool readableOnly = false, bool resolveArchives = false)
    {
        var rses = ctx.RequestServices.GetRequiredService<RseCatalog>();
        IReadOnlySet<string>? rseIds = null;
        if (rseExpression is not null)
        {
            var names = (await rses.EvaluateAsync(rseExpression)).ToHashSet();
            rseIds = (await rses.ListAsync()).Where(r => names.Contains(r.Name)).Select(r => r.Id).ToHashSet();
        }
        var files = await ctx.RequestServices.GetRequiredService<ReplicaCatalog>().ListAsync(dids, allStates, rseIds, parents, readableOnly, skipUnknown: true, resolveArchives);
        var protocolCache = new Dictionary<string, IReadOnlyList<RseProtocol>>();
        var listed = new List<ListedFile>();
        foreach (var f in files)
        {
            var pfns = new List<(string Pfn, string Rse, string RseId, string Type, bool Volatile, int Priority, bool Extract)>();
            async Task AddPfns(ReplicaView r, bool inArchive)
            {
                if (!protocolCache.TryGetValue(r.RseId, out var protocols)) protocolCache[r.RseId] = protocols = await rses.ProtocolsAsync(r.RseId);
                foreach (var p in protocols)
                {
                    if (schemes is not null && !schemes.Contains(p.Scheme)) continue;
                    if (RseStorage.Priority(p, StorageOperation.Read) is not { } prio) continue;
                    var pfn = Lfn2Pfn.Pfn(p.Scheme, p.Hostname, p.Port, p.Prefix, r.Path ?? Lfn2Pfn.Hash(r.Scope, r.Name));
                    // A file inside an archive is served by the archive's URL: XRootD reads it out of the zip itself,
                    // every other protocol hands the client the whole archive to extract from (Rucio's client_extract).
                    var readsInside = inArchive && p.Scheme == "root";
                    if (readsInside) pfn += $"?xrdcl.unzip={Uri.EscapeDataString(f.File.Name)}";
                    pfns.Add((pfn, r.Rse, r.RseId, r.RseType, r.Volatile, prio, inArchive && !readsInside));
                }
            }
            foreach (var r in f.Replicas) await AddPfns(r, inArchive: false);
            foreach (var r in f.InArchives) await AddPfns(r, inArchive: true);
            // The file's own copies come first; archives only after them, as extracting costs the whole archive.
            var ordered = pfns.OrderBy(p => p.Extract).ThenBy(p => p.Priority).ThenBy(p => p.Rse, StringComparer.Ordinal)
                .Select((p, i) => new ListedPfn(p.Pfn, p.Rse, p.RseId, p.Type, p.Volatile, "wan", i + 1, p.Extract)).ToList();
            var where = f.Replicas.Concat(f.InArchives).DistinctBy(r => r.RseId).ToList();
            listed.Add(new ListedFile(f.File, ordered, where, parents ? f.Parents.Order(StringComparer.Ordinal).ToList() : null));
        }
        return listed;
    }

    private static ReplicaRequests Requests(HttpContext ctx) => ctx.RequestServices.GetRequiredService<ReplicaRequests>();
}
