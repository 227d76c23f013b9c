using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Core.Paths;
using Ferry.Core.Sync;
using Ferry.Engine.Consistency;
using Ferry.Engine.Storage;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// Catalogue sync and storage consistency (issue 13): Ferry's listing of one RSE's replicas, the consistency check of
/// an RSE against its storage, and the dialect's lfns2pfns so a sync can compare path mapping with another server.
/// </summary>
internal static class SyncEndpoints
{
    public static void MapSync(this IEndpointRouteBuilder app)
    {
        app.Map("GET", "/ferry/rses/{rse}/replicas", async ctx =>
        {
            var rows = await ctx.RequestServices.GetRequiredService<RseReplicaListing>().ListAsync(ctx.Route("rse"), ctx.RequestAborted);
            await Wire.WriteStream(ctx, rows.Select(r => new Dictionary<string, object?>
            {
                ["scope"] = r.Scope, ["name"] = r.Name, ["bytes"] = r.Bytes, ["adler32"] = r.Adler32, ["md5"] = r.Md5, ["state"] = r.State.Wire(),
                ["path"] = r.Path, ["dataset"] = r.Dataset, ["datasets"] = r.Datasets,
            }));
        }, "ListRseReplicas", "Sync");

        app.Map("POST", "/ferry/rses/{rse}/check", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("check RSEs against their storage");
            // A dump of a large RSE is tens of megabytes; this admin-only call may send it whole.
            if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
            var body = await Wire.ReadObject(ctx, allowEmpty: true);
            var dump = body.OptArray("dump")?.Select((p, i) => p?.GetValueKind() == System.Text.Json.JsonValueKind.String
                ? StorageDump.Relative(p.GetValue<string>(), []) ?? throw FerryException.Invalid($"dump entry {i + 1} is not a relative path under the RSE's prefix")
                : throw FerryException.Invalid($"dump entry {i + 1} is not a string")).ToList();
            var grace = body.OptLong("grace_seconds") ?? 86400;
            var sample = body.OptLong("sample") ?? 100;
            var rate = body.OptLong("checks_per_second") ?? 20;
            if (grace < 0 || sample < 0 || rate < 0) throw FerryException.Invalid("grace_seconds, sample and checks_per_second must not be negative");
            var only = await DidRestriction.ReadAsync(ctx, body);
            var report = await ctx.RequestServices.GetRequiredService<ConsistencyCheck>().RunAsync(
                new CheckRequest(ctx.Route("rse"), dump, body.OptBool("fix") ?? false, TimeSpan.FromSeconds(grace), (int)Math.Min(sample, 100_000), rate, only), ctx.RequestAborted);
            await Wire.WriteJson(ctx, report);
        }, "CheckRse", "Sync");

        app.Map("GET", "/rses/{rse}/lfns2pfns", async ctx =>
        {
            var rses = ctx.RequestServices.GetRequiredService<RseCatalog>();
            var rse = await rses.GetAsync(ctx.Route("rse"));
            var scheme = ctx.Query("scheme");
            var op = (ctx.Query("operation") ?? "read") switch
            {
                "write" => StorageOperation.Write, "delete" => StorageOperation.Delete, "read" or "third_party_copy_read" => StorageOperation.Read,
                var o => throw FerryException.Invalid($"Unknown operation '{o}'"),
            };
            var protocol = (await rses.ProtocolsAsync(rse.Id))
                .Where(p => scheme is null || p.Scheme == scheme)
                .Select(p => (p, prio: RseStorage.Priority(p, op))).Where(x => x.prio is not null).OrderBy(x => x.prio).Select(x => x.p).FirstOrDefault()
                ?? throw new FerryException("RSEProtocolNotSupported", 404, $"RSE {rse.Name} has no protocol{(scheme is null ? "" : $" '{scheme}'")} for {op.ToString().ToLowerInvariant()}");
            var answer = new Dictionary<string, string>();
            foreach (var lfn in ctx.Request.Query["lfn"])
            {
                var did = DidRef.Parse(lfn ?? "");
                answer[$"{did.Scope}:{did.Name}"] = Lfn2Pfn.Pfn(protocol.Scheme, protocol.Hostname, protocol.Port, protocol.Prefix, Lfn2Pfn.Hash(did.Scope, did.Name));
            }
            await Wire.WriteJson(ctx, answer);
        }, "Lfns2Pfns", "RSEs");
    }
}
