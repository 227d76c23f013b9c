using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Core.Paths;
using Ferry.Engine.Application.Replicas;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>Rucio's DID sample, lookup by GUID and the replicas registered with an attachment, beside the DID dispatcher.</summary>
internal static partial class DidEndpoints
{
    /// <summary>A new dataset of nbfiles files picked at random from the files of an input collection.</summary>
    private static async Task CreateSample(HttpContext ctx)
    {
        var body = await Wire.ReadObject(ctx);
        var inScope = Names.Scope(body.RequiredString("input_scope"));
        var inName = Names.DidName(body.RequiredString("input_name"));
        var outScope = Names.Scope(body.RequiredString("output_scope"));
        var outName = Names.DidName(body.RequiredString("output_name"));
        // The Rucio client sends the count as a string; a number is taken too.
        var count = body["nbfiles"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) => n,
            JsonValue v when v.GetValueKind() == JsonValueKind.String && long.TryParse(v.GetValue<string>(), out var n) => n,
            null => throw new FerryException("KeyError", 400, "'nbfiles' not defined"),
            _ => throw FerryException.Invalid("'nbfiles' must be a whole number"),
        };
        if (count < 0) throw FerryException.Invalid($"'nbfiles' must be 0 or more, got {count}");
        var caller = Caller.Of(ctx);
        await caller.RequireScopeWrite(ctx.RequestServices.GetRequiredService<AccountCatalog>(), outScope);
        var catalog = ctx.RequestServices.GetRequiredService<DidCatalog>();
        var files = (await catalog.FilesAsync(inScope, inName)).ToArray();
        ctx.RequestServices.GetRequiredService<Random>().Shuffle(files);
        var picked = files.Take((int)Math.Min(count, files.Length)).Select(f => new ChildSpec(f.Scope, f.Name)).ToList();
        await catalog.AddCollectionAsync(outScope, outName, DidType.Dataset, caller.Account, null, null, picked, []);
        await Wire.Created(ctx);
    }

    /// <summary>
    /// The replicas of files attached with an RSE: those the RSE already holds are left as they are (Rucio skips
    /// them too), so attaching a registered file to a second dataset is no duplicate; the others are verified and added.
    /// </summary>
    private static async Task RegisterNew(HttpContext ctx, string rse, JsonArray dids)
    {
        var files = dids.Select(d => ReplicaWire.File(Json.AsObject(d, "Each DID"), ReplicaState.Available)).ToList();
        await RefuseForeignPfns(ctx, rse, dids);
        var held = await ctx.RequestServices.GetRequiredService<DidCatalog>().ReplicatedOnAsync(rse, files.Select(f => (f.Scope, f.Name)));
        var fresh = files.Where(f => !held.Contains((f.Scope, f.Name))).ToList();
        if (fresh.Count > 0)
            await ctx.RequestServices.GetRequiredService<ReplicaRequests>().AddAttachedAsync(Caller.Of(ctx), rse, fresh, ctx.RequestAborted);
    }

    /// <summary>
    /// On a deterministic RSE a file's place follows from its name: a PFN given with it must be that place (under one of
    /// the RSE's protocols), else the request is refused as Rucio refuses it, before anything is written.
    /// </summary>
    private static async Task RefuseForeignPfns(HttpContext ctx, string rseName, JsonArray dids)
    {
        var given = dids.OfType<JsonObject>().Where(o => o.OptString("pfn") is not null).ToList();
        if (given.Count == 0) return;
        var rses = ctx.RequestServices.GetRequiredService<RseCatalog>();
        var rse = await rses.GetAsync(rseName);
        if (!rse.Deterministic) return;
        var protocols = await rses.ProtocolsAsync(rse.Id);
        foreach (var o in given)
        {
            var (scope, name, pfn) = (o.RequiredString("scope"), o.RequiredString("name"), o.OptString("pfn")!);
            var expected = protocols.Select(p => Lfn2Pfn.Pfn(p.Scheme, p.Hostname, p.Port, p.Prefix, Lfn2Pfn.Hash(scope, name))).ToList();
            if (!expected.Contains(pfn, StringComparer.Ordinal))
                throw new FerryException("InvalidPath", 400,
                    $"The PFN '{pfn}' of '{scope}:{name}' does not match where the deterministic RSE {rseName} keeps it ({string.Join(", ", expected)})");
        }
    }

    private static async Task DatasetsByGuid(HttpContext ctx, string guid)
    {
        var parents = await ctx.RequestServices.GetRequiredService<DidCatalog>().ParentsByGuidAsync(guid)
            ?? throw FerryException.NotFound("DataIdentifierNotFound", $"No file associated to GUID : {guid}");
        await Wire.WriteStream(ctx, parents.Select(p => new Dictionary<string, object?> { ["scope"] = p.Scope, ["name"] = p.Name }));
    }
}
