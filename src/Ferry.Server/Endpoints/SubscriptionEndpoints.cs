using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Catalog.Subscriptions;
using Ferry.Core.Errors;
using Ferry.Core.Policies;
using Ferry.Core.Time;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>Ferry's subscriptions (placement policies): filter + rule templates, history, dry run, and one round on demand.</summary>
internal static class SubscriptionEndpoints
{
    public static void MapSubscriptions(this IEndpointRouteBuilder app)
    {
        app.Map("POST", "/ferry/subscriptions", async ctx =>
        {
            var caller = Caller.Of(ctx);
            var body = await Wire.ReadObject(ctx);
            foreach (var key in body.Select(p => p.Key))
                if (key is not ("name" or "account" or "filter" or "rules" or "retroactive" or "comments"))
                    throw FerryException.Invalid($"Unknown subscription field '{key}': use name, account, filter, rules, retroactive or comments");
            var account = body.OptString("account") ?? caller.Account;
            caller.RequireSelfOrAdmin(account, "add subscriptions for other accounts");
            var s = await Subs(ctx).AddAsync(body.RequiredString("name"), account, Filter(body.Required("filter")), Templates(body.Required("rules")),
                body.OptBool("retroactive") ?? false, body.OptString("comments"));
            await Wire.WriteJson(ctx, View(s), 201);
        }, "AddSubscription", "Subscriptions");

        app.Map("GET", "/ferry/subscriptions", async ctx =>
            await Wire.WriteJson(ctx, (await Subs(ctx).ListAsync(ctx.Query("account"))).Select(View)), "ListSubscriptions", "Subscriptions");

        app.Map("GET", "/ferry/subscriptions/{name}", async ctx =>
            await Wire.WriteJson(ctx, View(await Subs(ctx).GetAsync(ctx.Route("name")))), "GetSubscription", "Subscriptions");

        app.Map("PUT", "/ferry/subscriptions/{name}", async ctx =>
        {
            var current = await Subs(ctx).GetAsync(ctx.Route("name"));
            Caller.Of(ctx).RequireSelfOrAdmin(current.Account, "change subscriptions of other accounts");
            var body = await Wire.ReadObject(ctx);
            foreach (var key in body.Select(p => p.Key))
                if (key is not ("filter" or "rules" or "state" or "comments")) throw FerryException.Invalid($"Unknown subscription field '{key}': use filter, rules, state or comments");
            var change = new SubscriptionChange(body["filter"] is { } f ? Filter(f) : null, body["rules"] is { } r ? Templates(r) : null,
                body.OptString("state"), body.OptString("comments"));
            await Wire.WriteJson(ctx, View(await Subs(ctx).UpdateAsync(current.Name, change)));
        }, "UpdateSubscription", "Subscriptions");

        app.Map("GET", "/ferry/subscriptions/{name}/history", async ctx =>
        {
            var limit = int.TryParse(ctx.Query("limit"), out var l) && l is > 0 and <= 100_000 ? l : 10_000;
            await Wire.WriteJson(ctx, (await Subs(ctx).HistoryAsync(ctx.Route("name"), limit)).Select(h => new Dictionary<string, object?>
            {
                ["scope"] = h.Scope, ["name"] = h.Name, ["state"] = h.State, ["error"] = h.Error, ["created_at"] = RucioTime.Format(h.CreatedAt),
                ["rule_ids"] = (h.RuleIds ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
            }));
        }, "SubscriptionHistory", "Subscriptions");

        // The dry run takes a filter and rules (of a subscription not yet made, or one's own) and lists what exists now.
        app.Map("POST", "/ferry/subscriptions/dry-run", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var limit = (int)Math.Clamp(body.OptLong("limit") ?? 1000, 1, 100_000);
            var plan = await Subs(ctx).DryRunAsync(Filter(body.Required("filter")), Templates(body.Required("rules")), limit);
            await Wire.WriteJson(ctx, plan.Select(p => new Dictionary<string, object?>
            {
                ["scope"] = p.Scope, ["name"] = p.Name, ["type"] = Core.Model.EnumNames.Wire(p.Type),
                ["rules"] = p.Rules.Select(r => new Dictionary<string, object?> { ["rse_expression"] = r.RseExpression, ["copies"] = r.Copies, ["rses"] = r.Rses, ["problem"] = r.Problem }),
            }));
        }, "DryRunSubscription", "Subscriptions");

        app.Map("POST", "/ferry/subscriptions/run", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("run subscriptions");
            var handled = await Subs(ctx).RunAsync($"{Environment.MachineName}:{Environment.ProcessId}:api", ctx.RequestAborted);
            await Wire.WriteJson(ctx, new Dictionary<string, object> { ["dids"] = handled });
        }, "RunSubscriptions", "Subscriptions");
    }

    private static SubscriptionFilter Filter(JsonNode node) => PolicyJson.Read<SubscriptionFilter>(node.ToElement(), "filter").Validated();

    private static List<RuleTemplate> Templates(JsonNode node) =>
        PolicyJson.Read<List<RuleTemplate>>(node.ToElement(), "rules").Select(t => t.Validated()).ToList();

    private static Dictionary<string, object?> View(Subscription s) => new()
    {
        ["id"] = s.Id, ["name"] = s.Name, ["account"] = s.Account, ["state"] = s.State, ["comments"] = s.Comments,
        ["filter"] = JsonSerializer.SerializeToElement(s.Filter, PolicyJson.Options), ["rules"] = JsonSerializer.SerializeToElement(s.Rules, PolicyJson.Options),
        ["created_at"] = RucioTime.Format(s.CreatedAt), ["updated_at"] = RucioTime.Format(s.UpdatedAt),
    };

    private static SubscriptionCatalog Subs(HttpContext ctx) => ctx.RequestServices.GetRequiredService<SubscriptionCatalog>();
}
