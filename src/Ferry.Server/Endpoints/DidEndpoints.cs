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
using Ferry.Engine.Application.Rules;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>DIDs: add, attach/detach, get, content, files, search, metadata, rules (dialect §5).</summary>
internal static partial class DidEndpoints
{
    public static void MapDids(this IEndpointRouteBuilder app)
    {
        app.Map("POST", "/dids", async ctx =>
        {
            var body = await Wire.ReadBody(ctx) as JsonArray ?? throw new FerryException("TypeError", 400, "POST /dids takes a JSON list of DIDs");
            // Rucio sets no limit; this one keeps a single request's transaction bounded (Rucio's own tests send 1,400).
            if (body.Count > 10_000) throw FerryException.Invalid("At most 10,000 DIDs per request");
            var caller = Caller.Of(ctx);
            var specs = new List<CollectionSpec>();
            foreach (var item in body) specs.Add(await ParseCollection(ctx, caller, Json.AsObject(item, "Each DID"), null, null));
            await ctx.RequestServices.GetRequiredService<DidCatalog>().AddCollectionsAsync(specs);
            await Wire.Created(ctx);
        }, "AddDids", "DIDs");

        app.Map("POST", "/dids/attachments", async ctx =>
        {
            var node = await Wire.ReadBody(ctx);
            var ignoreDuplicate = node is JsonObject o && (o.OptBool("ignore_duplicate") ?? false);
            var list = node switch
            {
                JsonArray a => a,
                JsonObject obj => obj.OptArray("attachments") ?? throw new FerryException("KeyError", 400, "'attachments' not defined"),
                _ => throw new FerryException("TypeError", 400, "Body must be a list of attachments"),
            };
            foreach (var item in list)
            {
                var a = Json.AsObject(item, "Each attachment");
                await Attach(ctx, a.RequiredString("scope"), a.RequiredString("name"), a, ignoreDuplicate);
            }
            await Wire.Created(ctx);
        }, "AddAttachments", "DIDs");

        app.Map("POST", "/dids/bulkdidsmeta", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var list = body.OptArray("dids") ?? throw new FerryException("KeyError", 400, "'dids' not defined");
            var items = list.Select(x => Json.AsObject(x, "Each DID")).Select(d => (
                Scope: Names.Scope(d.RequiredString("scope")), Name: Names.DidName(d.RequiredString("name")),
                Meta: d.OptMeta("meta") ?? throw new FerryException("KeyError", 400, "'meta' not defined for each DID"))).ToList();
            foreach (var scope in items.Select(i => i.Scope).Distinct()) await Caller.Of(ctx).RequireScopeWrite(Accounts(ctx), scope);
            await ctx.RequestServices.GetRequiredService<DidCatalog>().SetMetaBulkAsync(items.Select(i => (i.Scope, i.Name, i.Meta)).ToList());
            await Wire.Created(ctx);
        }, "SetBulkMeta", "DIDs");

        app.Map("POST", "/dids/bulkmeta", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var list = body.OptArray("dids") ?? throw new FerryException("KeyError", 400, "'dids' not defined");
            var keys = list.Select(x => Json.AsObject(x, "Each DID")).Select(d => (Scope: Names.Scope(d.RequiredString("scope")), Name: Names.DidName(d.RequiredString("name")))).ToList();
            // Looked up together (a bulk upload asks about 500 files at a time); in the order asked, each once.
            // As in Rucio, DIDs that do not exist are left out rather than failing the whole request.
            var plugin = DidMetaView.Plugin(body.OptString("plugin"));
            var catalog = ctx.RequestServices.GetRequiredService<DidCatalog>();
            var found = await catalog.FindManyAsync(keys);
            var meta = await catalog.MetaManyAsync(keys);
            var dids = keys.Distinct().Select(k => found.GetValueOrDefault(k)).OfType<Core.Model.Did>().ToList();
            IReadOnlyDictionary<string, System.Text.Json.JsonElement> Of(Core.Model.Did d) => meta.GetValueOrDefault((d.Scope, d.Name)) ?? [];
            // The DID_COLUMN view has fixed columns; the others carry the user's keys, so they are maps.
            return plugin == "DID_COLUMN"
                ? (IResult)RucioResults.Stream(dids.Select(d => DidMetaView.Columns(d, Of(d))))
                : RucioResults.Stream(dids.Select(d => DidMetaView.Bulk(d, Of(d), plugin)));
        }, "BulkMeta", "DIDs");

        app.Map("POST", "/dids/sample", CreateSample, "CreateDidSample", "DIDs");

        app.MapMethods("/dids/{**rest}", ["GET", "POST", "PUT", "DELETE"], (Delegate)(Func<HttpContext, Task>)Dispatch).WithName("Dids").WithTags("DIDs");
    }

    private static async Task Dispatch(HttpContext ctx)
    {
        // "/dids" itself also reaches this catch-all (its rest is empty) for methods that have no endpoint there.
        var path = ctx.Request.Path.Value!;
        if (path.Length <= "/dids/".Length)
            throw new FerryException("MethodNotAllowed", 405, $"{ctx.Request.Method} {path} is not an endpoint; DIDs are addressed as /dids/SCOPE/NAME");
        var raw = path["/dids/".Length..];
        var method = ctx.Request.Method;
        var segs = raw.Split('/');
        if (method == "GET" && segs.Length >= 3 && segs[1] == "dids" && segs[2] == "search") { await Search(ctx, Uri.UnescapeDataString(segs[0])); return; }
        if (method == "GET" && (segs.Length == 1 || (segs.Length == 2 && segs[1].Length == 0))) { await ScopeListing(ctx, Uri.UnescapeDataString(segs[0])); return; }
        if (method == "GET" && segs.Length == 2 && segs[1] == "guid") { await DatasetsByGuid(ctx, Uri.UnescapeDataString(segs[0])); return; }
        var p = DidPath.Parse(raw) ?? throw FerryException.NotFound("NotFound", $"No such endpoint: {ctx.Request.Path}");
        var dids = ctx.RequestServices.GetRequiredService<DidCatalog>();
        switch (method, p.Suffix)
        {
            case ("GET", null):
                var did = await dids.GetAsync(p.Scope, p.Name);
                if (did.Type == DidType.File) await RucioResults.Json(WireFormat.FileDid(did)).ExecuteAsync(ctx);
                else if (ctx.Query("dynamic_depth") is "FILE" or "DATASET")
                {
                    var (bytes, length) = await dids.DeepSizeAsync(p.Scope, p.Name);
                    await RucioResults.Json(WireFormat.CollectionDid(did, bytes, length)).ExecuteAsync(ctx);
                }
                else await RucioResults.Json(WireFormat.CollectionDid(did)).ExecuteAsync(ctx);
                return;
            case ("POST", null):
                await AddCollection(ctx, Caller.Of(ctx), await Wire.ReadObject(ctx), p.Scope, p.Name);
                await Wire.Created(ctx);
                return;
            case ("POST", "dids"):
                await Attach(ctx, p.Scope, p.Name, await Wire.ReadObject(ctx), false);
                await Wire.Created(ctx);
                return;
            case ("DELETE", "dids"):
                await Caller.Of(ctx).RequireScopeWrite(Accounts(ctx), p.Scope);
                var detached = Children(await Wire.ReadObject(ctx));
                if (detached.Any(c => c.Scope == p.Scope && c.Name == p.Name)) throw FerryException.Conflict("UnsupportedOperation", "Self-detach is not valid.");
                await dids.DetachAsync(p.Scope, p.Name, detached);
                await Wire.Ok(ctx);
                return;
            case ("GET", "dids"):
                await RucioResults.Stream((await dids.ContentAsync(p.Scope, p.Name)).Select(c => new RucioDidContent
                    { Scope = c.Scope, Name = c.Name, Type = c.Type.Wire(), Bytes = c.Bytes, Adler32 = c.Adler32, Md5 = c.Md5 })).ExecuteAsync(ctx);
                return;
            case ("GET", "files"):
                // Ferry keeps no luminosity blocks; the long form carries the key as Rucio's does, empty.
                System.Text.Json.JsonElement? lumi = ctx.QueryBool("long") ? RucioDidFile.NoLumiBlock : null;
                await RucioResults.Stream((await dids.ListFilesAsync(p.Scope, p.Name, ctx.RequestAborted)).Select(f => new RucioDidFile
                    { Scope = f.Scope, Name = f.Name, Bytes = f.Bytes, Adler32 = f.Adler32, Guid = f.Guid?.ToUpperInvariant(), Events = f.Events, Lumiblocknr = lumi }))
                    .ExecuteAsync(ctx);
                return;
            case ("GET", "parents"):
                await RucioResults.Stream((await dids.ParentsAsync(p.Scope, p.Name)).Select(d => new RucioTypedDid
                    { Scope = d.Scope, Name = d.Name, Type = d.Type.Wire() })).ExecuteAsync(ctx);
                return;
            case ("PUT", "status"):
                await Caller.Of(ctx).RequireScopeWrite(Accounts(ctx), p.Scope);
                var status = await Wire.ReadObject(ctx);
                if (status.Select(s => s.Key).FirstOrDefault(k => k != "open") is { } bad) throw FerryException.Conflict("UnsupportedStatus", $"Unknown status key '{bad}'");
                await dids.SetOpenAsync(p.Scope, p.Name, status.OptBool("open") ?? throw new FerryException("KeyError", 400, "'open' not defined"));
                await Wire.Ok(ctx);
                return;
            case ("GET", "meta"):
                await Meta(ctx, dids, p);
                return;
            case ("POST", "meta"):
                await Caller.Of(ctx).RequireScopeWrite(Accounts(ctx), p.Scope);
                var mb = await Wire.ReadObject(ctx);
                var meta = p.Key is { } key
                    ? new Dictionary<string, System.Text.Json.JsonElement> { [key] = WireFormat.Element(mb.Required("value")) }
                    : mb.OptMeta("meta") ?? throw new FerryException("KeyError", 400, "'meta' not defined");
                await dids.SetMetaAsync(p.Scope, p.Name, meta);
                await Wire.Created(ctx);
                return;
            case ("DELETE", "meta"):
                await Caller.Of(ctx).RequireScopeWrite(Accounts(ctx), p.Scope);
                await dids.DeleteMetaAsync(p.Scope, p.Name, ctx.Query("key") ?? throw new FerryException("KeyError", 400, "'key' not defined"));
                await Wire.Ok(ctx);
                return;
            case ("GET", "rules"):
                await dids.GetAsync(p.Scope, p.Name);
                var rules = await ctx.RequestServices.GetRequiredService<RuleCatalog>().ListAsync(new RuleFilter(Scope: p.Scope, Name: p.Name));
                await Wire.WriteStream(ctx, rules.Select(WireFormat.ListedRule));
                return;
            case ("GET", "associated_rules"):
                await dids.GetAsync(p.Scope, p.Name);
                var held = await ctx.RequestServices.GetRequiredService<RuleCatalog>().AssociatedWithFileAsync(p.Scope, p.Name);
                await Wire.WriteStream(ctx, held.Select(WireFormat.ListedRule));
                return;
            default:
                throw FerryException.NotFound("NotFound", $"No such endpoint: {method} {ctx.Request.Path}");
        }
    }

    private static async Task Meta(HttpContext ctx, DidCatalog dids, DidPath p)
    {
        var plugin = DidMetaView.Plugin(ctx.Query("plugin"));
        var did = await dids.GetAsync(p.Scope, p.Name);
        var meta = await dids.MetaAsync(p.Scope, p.Name);
        if (plugin == "DID_COLUMN") await RucioResults.Json(DidMetaView.Columns(did, meta)).ExecuteAsync(ctx);
        else await RucioResults.Json(DidMetaView.Map(did, meta, plugin)).ExecuteAsync(ctx);
    }

    private static async Task AddCollection(HttpContext ctx, Caller caller, JsonObject body, string? scope, string? name) =>
        await ctx.RequestServices.GetRequiredService<DidCatalog>().AddCollectionsAsync([await ParseCollection(ctx, caller, body, scope, name)]);

    private static async Task<CollectionSpec> ParseCollection(HttpContext ctx, Caller caller, JsonObject body, string? scope, string? name)
    {
        scope ??= body.RequiredString("scope");
        name ??= body.RequiredString("name");
        await caller.RequireScopeWrite(Accounts(ctx), Names.Scope(scope));
        var type = EnumNames.ParseDidType(body.RequiredString("type"));
        // Everything is parsed before anything is written, and the collection, its content and its rules are written
        // in one transaction: a request refused in its last part must not leave its first part behind.
        var account = body.OptString("account") ?? caller.Account;
        var lifetime = body.OptLong("lifetime");
        var meta = body.OptMeta("meta");
        var children = body.OptArray("dids") is { Count: > 0 } ? Children(body) : [];
        // Every rule is read and checked (permission and spec, Ferry.Engine.Application.Rules) before anything is written.
        var rules = (body.OptArray("rules") ?? []).Select(r => RuleRequests.Checked(caller, RuleWire.Spec(Json.AsObject(r, "Each rule"), caller.Account, [(scope, name)]))).ToList();
        if (children.Count > 0 && type == DidType.Dataset && body.OptString("rse") is { } rse)
        {
            // Registering replicas verifies bytes on storage, so it stays a step of its own, before the collection; a
            // collection that exists already is refused first, as Rucio refuses it, so that nothing is registered.
            if (await ctx.RequestServices.GetRequiredService<DidCatalog>().FindAsync(scope, name) is not null)
                throw FerryException.Conflict("DataIdentifierAlreadyExists", $"Data identifier '{scope}:{name}' already exists");
            await RegisterNew(ctx, rse, body.OptArray("dids")!);
        }
        return new CollectionSpec(scope, name, type, account, lifetime, meta, children, rules);
    }

    private static async Task Attach(HttpContext ctx, string scope, string name, JsonObject body, bool ignoreDuplicate)
    {
        await Caller.Of(ctx).RequireScopeWrite(Accounts(ctx), scope);
        // As in Rucio, replicas come with an attachment to a dataset only: to a container or a file the attach is
        // refused below, and nothing must have been registered before that.
        var children = Children(body);
        var parentType = (await ctx.RequestServices.GetRequiredService<DidCatalog>().GetAsync(scope, name)).Type;
        if (body.OptString("rse") is { } rse && parentType == DidType.Dataset)
            await RegisterNew(ctx, rse, body.OptArray("dids") ?? []);
        // Adding to an archive registers its constituents as new files, so the caller must be able to write in their scopes too.
        if (parentType == DidType.File)
            foreach (var childScope in children.Select(x => x.Scope).Distinct())
                await Caller.Of(ctx).RequireScopeWrite(Accounts(ctx), childScope);
        await ctx.RequestServices.GetRequiredService<DidCatalog>().AttachAsync(scope, name, children, ignoreDuplicate);
    }

    private static List<ChildSpec> Children(JsonObject body)
    {
        var list = body.OptArray("dids") ?? throw new FerryException("KeyError", 400, "'dids' not defined");
        return list.Select(d =>
        {
            var o = Json.AsObject(d, "Each DID");
            return new ChildSpec(Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")), o.OptLong("bytes"), o.OptString("adler32"), o.OptString("md5"));
        }).ToList();
    }

    private static AccountCatalog Accounts(HttpContext ctx) => ctx.RequestServices.GetRequiredService<AccountCatalog>();
}
