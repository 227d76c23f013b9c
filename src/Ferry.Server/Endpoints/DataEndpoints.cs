using System.Text.Json.Nodes;
using Ferry.Catalog.Rules;
using Ferry.Catalog.Selection;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Selection;
using Ferry.Core.Time;
using Ferry.Engine.Application.Rules;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// Ferry's extension for bulk work on datasets (`ferry data`): a selection evaluated on the server, paged, and bulk
/// rule actions on a page of DIDs or rules at a time. Not part of the Rucio dialect.
/// </summary>
internal static class DataEndpoints
{
    private const int MaxItems = 1000;

    public static void MapData(this IEndpointRouteBuilder app)
    {
        app.Map("POST", "/ferry/data/select", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var after = body.OptString("after") is { } a ? DidRef.Parse(a) : (DidRef?)null;
            var page = await Service<SelectionCatalog>(ctx).SelectAsync(DataSelectionJson.Parse(body), after, (int)(body.OptLong("limit") ?? 1000));
            await Wire.WriteJson(ctx, new Dictionary<string, object?>
            {
                ["items"] = page.Items.Select(d => new Dictionary<string, object?>
                {
                    ["scope"] = d.Scope, ["name"] = d.Name, ["type"] = Core.Model.EnumNames.Wire(d.Type), ["account"] = d.Account,
                    ["created_at"] = Iso(d.CreatedAt), ["length"] = d.Length, ["bytes"] = d.Bytes,
                }),
                ["next"] = page.Next?.ToString(),
            });
        }, "SelectData", "Data");

        app.Map("POST", "/ferry/data/replicate", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var caller = Caller.Of(ctx);
            var spec = RuleWire.Spec(body, caller.Account, Dids(body), defaultCopies: 1);
            await Results(ctx, await Rules(ctx).ReplicateAsync(caller, spec, body.OptBool("dry_run") ?? true));
        }, "ReplicateData", "Data");

        app.Map("POST", "/ferry/data/extend/plan", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var lifetime = body.OptLong("lifetime") ?? throw new FerryException("KeyError", 400, "'lifetime' not defined");
            var dids = Dids(body);
            await Results(ctx, await Rules(ctx).PlanExtendAsync(dids, Scope(ctx, body), lifetime, body.OptBool("allow_shorten") ?? false));
        }, "PlanExtendData", "Data");

        app.Map("POST", "/ferry/data/extend", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var items = Items(body, "rules").Select(o => (o.RequiredString("id"), RucioTime.Parse(o.RequiredString("expires_at")))).ToList();
            await Results(ctx, await Rules(ctx).ExtendAsync(Caller.Of(ctx), items, body.OptBool("allow_shorten") ?? false));
        }, "ExtendData", "Data");

        app.Map("POST", "/ferry/data/delete/plan", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            await Results(ctx, await Rules(ctx).PlanDeleteAsync(Dids(body), Scope(ctx, body)));
        }, "PlanDeleteData", "Data");

        app.Map("POST", "/ferry/data/delete", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var ids = Items(body, "rules").Select(o => o.RequiredString("id")).ToList();
            await Results(ctx, await Rules(ctx).DeleteRulesAsync(Caller.Of(ctx), ids, body.OptBool("purge_replicas") ?? false));
        }, "DeleteData", "Data");
    }

    private static List<JsonObject> Items(JsonObject body, string key)
    {
        var list = body.OptArray(key) ?? throw new FerryException("KeyError", 400, $"'{key}' not defined");
        if (list.Count > MaxItems) throw FerryException.Invalid($"At most {MaxItems} {key} per request, got {list.Count}");
        return list.Select(n => Json.AsObject(n, $"Each of '{key}'")).ToList();
    }

    private static List<(string, string)> Dids(JsonObject body) =>
        Items(body, "dids").Select(o => (Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")))).ToList();

    private static RuleScope Scope(HttpContext ctx, JsonObject body) => RuleRequests.Scope(Caller.Of(ctx), body.OptString("account"),
        (body.OptArray("rule_on") ?? []).Select(n => n?.GetValue<string>() ?? throw FerryException.Invalid("'rule_on' holds RSE expressions")).ToList(),
        body.OptLong("rule_expires_within"));

    private static RuleRequests Rules(HttpContext ctx) => Service<RuleRequests>(ctx);

    private static Task Results(HttpContext ctx, IReadOnlyList<DataActionResult> results) => Wire.WriteJson(ctx, new Dictionary<string, object?>
    {
        ["results"] = results.Select(r => new Dictionary<string, object?>
        {
            ["scope"] = r.Scope, ["name"] = r.Name, ["rule_id"] = r.RuleId, ["outcome"] = r.Outcome, ["reason"] = r.Reason,
            ["rse_expression"] = r.RseExpression, ["expires_before"] = Iso(r.ExpiresBefore), ["expires_after"] = Iso(r.ExpiresAfter),
        }),
    });

    private static string? Iso(DateTimeOffset? t) => t is { } v ? RucioTime.FormatIso(v) + "Z" : null;

    private static T Service<T>(HttpContext ctx) where T : notnull => ctx.RequestServices.GetRequiredService<T>();
}
