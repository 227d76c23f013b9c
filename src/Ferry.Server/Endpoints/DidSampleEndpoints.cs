using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Dids;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>Rucio's DID sample and lookup by GUID, served beside the DID dispatcher.</summary>
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
        Random.Shared.Shuffle(files);
        var picked = files.Take((int)Math.Min(count, files.Length)).Select(f => new ChildSpec(f.Scope, f.Name)).ToList();
        await catalog.AddCollectionAsync(outScope, outName, DidType.Dataset, caller.Account, null, null, picked, []);
        await Wire.Created(ctx);
    }

    private static async Task DatasetsByGuid(HttpContext ctx, string guid)
    {
        var parents = await ctx.RequestServices.GetRequiredService<DidCatalog>().ParentsByGuidAsync(guid)
            ?? throw FerryException.NotFound("DataIdentifierNotFound", $"No file associated to GUID : {guid}");
        await Wire.WriteStream(ctx, parents.Select(p => new Dictionary<string, object?> { ["scope"] = p.Scope, ["name"] = p.Name }));
    }
}
