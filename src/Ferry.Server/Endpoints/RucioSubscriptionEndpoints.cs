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

        // Rucio answers one named subscription as a one-line stream, as its listings.
        app.Map("GET", "/subscriptions/{account}/{name}", async ctx =>
            RucioResults.Stream([View(await Find(ctx, ctx.Route("account"), ctx.Route("name")))]), "GetRucioSubscription", Tag);

        app.Map("GET", "/subscriptions/{account}", ctx => List(ctx, ctx.Route("account"), null), "ListRucioSubscriptionsOfAccount", Tag);
        app.Map("GET", "/subscriptions", ctx => List(ctx, null, null), "ListRucioSubscriptions", Tag);
        app.Map("GET", "/subscriptions/name/{name}", ctx => List(ctx, null, ctx.Route("name")), "ListRucioSubscriptionsByName", Tag);

        app.Map("GET", "/subscriptions/id/{id}", async ctx =>
        {
            var id = ctx.Route("id");
            var s = (await Subs(ctx).ListAsync(null)).FirstOrDefault(x => x.Id == id)
                ?? throw FerryException.NotFound("SubscriptionNotFound", $"No subscription with id '{id}'");
            return RucioResults.Json(View(s));
        }, "GetRucioSubscriptionById", Tag);

        app.Map("GET", "/subscriptions/{account}/{name}/rules", async ctx =>
        {
            var s = await Find(ctx, ctx.Route("account"), ctx.Route("name"));
            var rules = await ctx.RequestServices.GetRequiredService<RuleCatalog>().ListAsync(new RuleFilter(SubscriptionId: s.Id));
            return RucioResults.Stream(rules.Select(WireFormat.ListedRule));
        }, "ListRucioSubscriptionRules", Tag);
    }

    /// <summary>A subscription as Rucio shows it; a retroactive one is one that looks at DIDs from the epoch on.</summary>
    private static RucioSubscription View(Subscription s) => new()
    {
        Id = s.Id, Name = s.Name, Account = s.Account,
        Filter = JsonSerializer.Serialize(RucioSubscriptions.FilterView(s.Filter)), ReplicationRules = JsonSerializer.Serialize(RucioSubscriptions.RulesView(s.Rules)),
        Policyid = s.Priority, State = s.State, Comments = s.Comments, Lifetime = s.ExpiresAt, Retroactive = s.SinceAt.ToUnixTimeMilliseconds() == 0,
        ExpiredAt = null, LastProcessed = s.CursorAt, CreatedAt = s.CreatedAt, UpdatedAt = s.UpdatedAt,
    };

    private static async Task<RucioStream<RucioSubscription>> List(HttpContext ctx, string? account, string? name)
    {
        var found = (await Subs(ctx).ListAsync(account)).Where(s => name is null || s.Name == name).ToList();
        // Rucio answers an empty selection with 404, not an empty list.
        if (found.Count == 0)
            throw FerryException.NotFound("SubscriptionNotFound", name is null ? $"No subscriptions for account '{account}'" : $"No subscription named '{name}'");
        return RucioResults.Stream(found.Select(View));
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
