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

        app.Map("POST", "/replicas/list", async Task<Results<ReplicaJsonStream, MetalinkResult>> (HttpContext ctx) =>
        {
            var body = await Wire.ReadObject(ctx);
            var dids = (body.OptArray("dids") ?? []).Select(d => Json.AsObject(d, "Each DID"))
                .Select(o => (Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")))).ToList();
            var metalink = ReplicaListing.WantsMetalink(ctx.Request);
            // As the dialect has it: without ignore_availability, replicas on RSEs blocked for reads are left out unless
            // the older 'unavailable' key is given; Rucio's client sends true unless told otherwise, its downloader false.
            var readableOnly = !(body.OptBool("ignore_availability") ?? body.ContainsKey("unavailable"));
            var lister = await ReplicaLister.CreateAsync(ctx, body.OptBool("all_states") ?? false, body.OptString("rse_expression"), body.OptBool("resolve_parents") ?? false,
                body.OptArray("schemes")?.Select(s => s?.ToString() ?? "").ToHashSet(), readableOnly, body.OptBool("resolve_archives") ?? true);
            var files = ReplicaListing.RandomCount(body) is { } n
                ? ReplicaListing.PickRandom(await lister.ToListAsync(dids, ctx.RequestAborted), n, ctx.RequestServices.GetRequiredService<Random>()).ToAsyncEnumerable()
                : lister.ListAsync(dids, ctx.RequestAborted);
            if (metalink) return new MetalinkResult(files, "generic", detailedUrls: true);
            return new ReplicaJsonStream(files);
        }, "ListReplicas", "Replicas");

        app.Map("GET", "/replicas/{scope}/{name}/datasets", async ctx =>
        {
            var (scope, name) = (Names.Scope(ctx.Route("scope")), Names.DidName(ctx.Route("name")));
            var rows = await DatasetReplicaEndpoints.ListAsync(ctx.RequestServices, scope, name);
            return RucioResults.Stream(rows.Select(r => DatasetReplicaEndpoints.Line(scope, name, r)));
        }, "ListDatasetReplicas", "Replicas");

        app.Map("GET", "/replicas/{scope}/{name}", async Task<Results<ReplicaJsonStream, MetalinkResult>> (HttpContext ctx) =>
        {
            var metalink = ReplicaListing.WantsMetalink(ctx.Request);
            var did = (Names.Scope(ctx.Route("scope")), Names.DidName(ctx.Route("name")));
            var lister = await ReplicaLister.CreateAsync(ctx, false, null, false, ctx.Query("schemes") is { } s ? [s] : null);
            // Rucio's older single-DID form names the atlas schema and leaves domain and client_extract off the urls.
            if (metalink) return new MetalinkResult(lister.ListAsync([did], ctx.RequestAborted), "atlas", detailedUrls: false);
            return new ReplicaJsonStream(lister.ListAsync([did], ctx.RequestAborted));
        }, "ListReplicasOfDid", "Replicas");
    }

    private static List<ReplicaFileSpec> Files(JsonObject body, ReplicaState defaultState)
    {
        var files = body.OptArray("files") ?? throw new FerryException("KeyError", 400, "'files' not defined");
        if (files.Count > ReplicaCatalog.MaxBatch) throw FerryException.Invalid($"At most {ReplicaCatalog.MaxBatch} files per request, got {files.Count}");
        return files.Select(f => ReplicaWire.File(Json.AsObject(f, "Each file"), defaultState)).ToList();
    }

    private static ReplicaRequests Requests(HttpContext ctx) => ctx.RequestServices.GetRequiredService<ReplicaRequests>();
}
