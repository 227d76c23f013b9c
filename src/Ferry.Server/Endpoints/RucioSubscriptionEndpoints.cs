using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Catalog.Rules;
using Ferry.Catalog.Subscriptions;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Policies;
using Ferry.Core.Time;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>The body of Rucio's subscription add and update: everything sits under "options".</summary>
internal sealed record RucioSubscriptionRequest(RucioSubscriptionOptions Options);

/// <summary>A subscription's settings as Rucio's client sends them; on update only the keys given change.</summary>
internal sealed record RucioSubscriptionOptions(
    JsonElement? Filter, JsonElement? ReplicationRules, string? Comments, long? Lifetime, bool? Retroactive, bool? DryRun, int? Priority, string? State);

/// <summary>One subscription as Rucio's server lists it: filter and rules as JSON text, dates in RFC 1123.</summary>
internal sealed record RucioSubscriptionView(
    string Id, string Name, string Account, string Filter, string ReplicationRules, int Policyid, string State,
    string? Comments, string? Lifetime, bool Retroactive, string? ExpiredAt, string LastProcessed, string CreatedAt, string UpdatedAt)
{
    public static RucioSubscriptionView Of(Subscription s) => new(
        s.Id, s.Name, s.Account,
        JsonSerializer.Serialize(RucioSubscriptions.FilterView(s.Filter)), JsonSerializer.Serialize(RucioSubscriptions.RulesView(s.Rules)),
        s.Priority, s.State, s.Comments, RucioTime.Format(s.ExpiresAt), s.SinceAt.ToUnixTimeMilliseconds() == 0, null,
        RucioTime.Format(s.CursorAt), RucioTime.Format(s.CreatedAt), RucioTime.Format(s.UpdatedAt));
}

/// <summary>
/// Rucio's <c>/subscriptions</c> API over Ferry's subscriptions (the same catalogue as <c>/ferry/subscriptions</c>):
/// what Rucio's client and CLI call. Names are unique per server in Ferry, per account in Rucio; a name is looked up
/// with its account, so another account's subscription of the same name is "not found", as in Rucio.
/// </summary>
internal static class RucioSubscriptionEndpoints
{
    private const string Tag = "Subscriptions";

    public static void MapRucioSubscriptions(this IEndpointRouteBuilder app)
    {
        app.Map("POST", "/subscriptions/{account}/{name}", async ctx =>
        {
            var options = await Options(ctx);
            var s = await Subs(ctx).AddAsync(ctx.Route("name"), ctx.Route("account"),
                RucioSubscriptions.Filter(options.Required("filter").ToElement()),
                RucioSubscriptions.Rules(options.Required("replication_rules").ToElement()),
                options.OptBool("retroactive") ?? false, options.OptString("comments"), Expiry(ctx, options), (int)(options.OptLong("priority") ?? 3));
            await Wire.WriteText(ctx, s.Id, 201);
        }, "AddRucioSubscription", Tag).Accepts<RucioSubscriptionRequest>(Wire.Json).Produces<string>(StatusCodes.Status201Created, "text/html")
            .Produces<RucioError>(StatusCodes.Status409Conflict, Routes.ErrorContentType);

        app.Map("PUT", "/subscriptions/{account}/{name}", async ctx =>
        {
            var options = await Options(ctx);
            var current = await Find(ctx, ctx.Route("account"), ctx.Route("name"));
            var change = new SubscriptionChange(
                options["filter"] is { } f ? RucioSubscriptions.Filter(f.ToElement()) : null,
                options["replication_rules"] is { } r ? RucioSubscriptions.Rules(r.ToElement()) : null,
                options.OptString("state"), options.OptString("comments"), Expiry(ctx, options), (int?)options.OptLong("priority"));
            await Subs(ctx).UpdateAsync(current.Name, change);
            await Wire.Created(ctx);
        }, "UpdateRucioSubscription", Tag).Accepts<RucioSubscriptionRequest>(Wire.Json).Produces<string>(StatusCodes.Status201Created, "text/html");

        app.Map("GET", "/subscriptions/{account}/{name}", async ctx =>
            await Wire.WriteStream(ctx, [RucioSubscriptionView.Of(await Find(ctx, ctx.Route("account"), ctx.Route("name")))]),
            "GetRucioSubscription", Tag).Produces<RucioSubscriptionView>(StatusCodes.Status200OK, Wire.Stream);

        app.Map("GET", "/subscriptions/{account}", async ctx => await List(ctx, ctx.Route("account"), null), "ListRucioSubscriptionsOfAccount", Tag)
            .Produces<RucioSubscriptionView>(StatusCodes.Status200OK, Wire.Stream);
        app.Map("GET", "/subscriptions", async ctx => await List(ctx, null, null), "ListRucioSubscriptions", Tag).Produces<RucioSubscriptionView>(StatusCodes.Status200OK, Wire.Stream);
        app.Map("GET", "/subscriptions/name/{name}", async ctx => await List(ctx, null, ctx.Route("name")), "ListRucioSubscriptionsByName", Tag)
            .Produces<RucioSubscriptionView>(StatusCodes.Status200OK, Wire.Stream);

        app.Map("GET", "/subscriptions/id/{id}", async ctx =>
        {
            var id = ctx.Route("id");
            var s = (await Subs(ctx).ListAsync(null)).FirstOrDefault(x => x.Id == id)
                ?? throw FerryException.NotFound("SubscriptionNotFound", $"No subscription with id '{id}'");
            await Wire.WriteJson(ctx, RucioSubscriptionView.Of(s));
        }, "GetRucioSubscriptionById", Tag).Produces<RucioSubscriptionView>(StatusCodes.Status200OK, Wire.Json);

        app.Map("GET", "/subscriptions/{account}/{name}/rules", async ctx =>
        {
            var s = await Find(ctx, ctx.Route("account"), ctx.Route("name"));
            var rules = await ctx.RequestServices.GetRequiredService<RuleCatalog>().ListAsync(new RuleFilter(SubscriptionId: s.Id));
            await Wire.WriteStream(ctx, rules.Select(WireFormat.ListedRule));
        }, "ListRucioSubscriptionRules", Tag);
    }

    private static async Task List(HttpContext ctx, string? account, string? name)
    {
        var found = (await Subs(ctx).ListAsync(account)).Where(s => name is null || s.Name == name).ToList();
        // Rucio answers an empty selection with 404, not an empty list.
        if (found.Count == 0)
            throw FerryException.NotFound("SubscriptionNotFound", name is null ? $"No subscriptions for account '{account}'" : $"No subscription named '{name}'");
        await Wire.WriteStream(ctx, found.Select(RucioSubscriptionView.Of));
    }

    private static async Task<Subscription> Find(HttpContext ctx, string account, string name)
    {
        var s = (await Subs(ctx).ListAsync(account)).FirstOrDefault(x => x.Name == name);
        return s ?? throw FerryException.NotFound("SubscriptionNotFound", $"Subscription for account '{account}' named '{name}' not found");
    }

    private static async Task<JsonObject> Options(HttpContext ctx)
    {
        var body = await Wire.ReadObject(ctx);
        return Json.AsObject(body.Required("options"), "options");
    }

    // Rucio's subscription lifetime is in days; false, null or 0 mean "no lifetime".
    private static DateTimeOffset? Expiry(HttpContext ctx, JsonObject options) => options["lifetime"] switch
    {
        JsonValue v when v.TryGetValue<long>(out var days) && days > 0 =>
            days > 2_000_000 ? throw FerryException.Invalid($"lifetime is in days, at most 2,000,000; got {days}")
                : ctx.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(days),
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) && !b => null,
        JsonValue v when v.TryGetValue<long>(out _) => null,
        _ => throw new FerryException("TypeError", 400, "lifetime must be a number of days"),
    };

    private static SubscriptionCatalog Subs(HttpContext ctx) => ctx.RequestServices.GetRequiredService<SubscriptionCatalog>();
}
