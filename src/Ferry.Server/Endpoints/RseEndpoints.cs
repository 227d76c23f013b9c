using System.Text.Json.Nodes;
using Ferry.Catalog.Rses;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Model;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>RSEs, their attributes, protocols, distances and usage (dialect §6).</summary>
internal static class RseEndpoints
{
    public static void MapRses(this IEndpointRouteBuilder app)
    {
        // Both answers are 200 with one content type, and the OpenAPI document keeps the last one declared: the full rows.
        app.Map("GET", "/rses", async Task<Results<RucioStream<RucioRseName>, RucioStream<RucioRse>>> (HttpContext ctx) =>
        {
            var rses = Catalog(ctx);
            // As Rucio, an expression answers the names it selects only.
            if (ctx.Query("expression") is { } expr) return RucioResults.Stream((await rses.EvaluateAsync(expr)).Select(n => new RucioRseName(n)));
            return RucioResults.Stream((await rses.ListAsync()).Select(WireFormat.Rse));
        }, "ListRses", "RSEs").WithDescription("Every RSE's row; with ?expression= only the names it selects, one {\"rse\": name} per line.");

        app.Map("POST", "/rses/{rse}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("add RSEs");
            await Catalog(ctx).AddAsync(ctx.Route("rse"), Settings(await Wire.ReadObject(ctx, allowEmpty: true)));
            await Wire.Created(ctx);
        }, "AddRse", "RSEs");

        app.Map("PUT", "/rses/{rse}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("update RSEs");
            await Catalog(ctx).UpdateAsync(ctx.Route("rse"), Settings(await Wire.ReadObject(ctx)));
            await Wire.WriteText(ctx, "Created", 201);
        }, "UpdateRse", "RSEs");

        app.Map("DELETE", "/rses/{rse}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("delete RSEs");
            await Catalog(ctx).DeleteAsync(ctx.Route("rse"));
            await Wire.Ok(ctx);
        }, "DeleteRse", "RSEs");

        app.Map("GET", "/rses/{rse}", async ctx => RucioResults.Json(await RseInfo(ctx, ctx.Route("rse"))), "GetRse", "RSEs");

        app.Map("GET", "/rses/{rse}/attr", async ctx =>
            RucioResults.Json(WireFormat.Attributes(await Catalog(ctx).AttributesAsync(ctx.Route("rse")))), "ListRseAttributes", "RSEs");

        app.Map("POST", "/rses/{rse}/attr/{key}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("set RSE attributes");
            var body = await Wire.ReadObject(ctx);
            var value = body.Required("value");
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString();
            await Catalog(ctx).SetAttributeAsync(ctx.Route("rse"), ctx.Route("key"), text);
            await Wire.Created(ctx);
        }, "SetRseAttribute", "RSEs");

        app.Map("DELETE", "/rses/{rse}/attr/{key}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("delete RSE attributes");
            await Catalog(ctx).DeleteAttributeAsync(ctx.Route("rse"), ctx.Route("key"));
            await Wire.Ok(ctx);
        }, "DeleteRseAttribute", "RSEs");

        app.Map("GET", "/rses/{rse}/limits", async ctx =>
        {
            var rse = await Catalog(ctx).GetAsync(ctx.Route("rse"));
            return RucioResults.Json((await Catalog(ctx).LimitsAsync(rse.Id)).ToDictionary());
        }, "RseLimits", "RSEs");
        app.Map("PUT", "/rses/{rse}/limits", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("set RSE limits");
            var body = await Wire.ReadObject(ctx);
            await Catalog(ctx).SetLimitAsync(ctx.Route("rse"), body.RequiredString("name"), body.OptLong("value") ?? throw new FerryException("KeyError", 400, "'value' not defined"));
            await Wire.Ok(ctx);
        }, "SetRseLimit", "RSEs");
        app.Map("DELETE", "/rses/{rse}/limits", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("delete RSE limits");
            await Catalog(ctx).DeleteLimitAsync(ctx.Route("rse"), (await Wire.ReadObject(ctx)).RequiredString("name"));
            await Wire.Ok(ctx);
        }, "DeleteRseLimit", "RSEs");

        app.Map("GET", "/rses/{src}/distances/{dst}", async ctx =>
        {
            var list = await Catalog(ctx).DistancesAsync(ctx.Route("src"), ctx.Route("dst"));
            return RucioResults.Json(list.Select(WireFormat.Distance).ToList());
        }, "GetDistance", "RSEs");

        app.Map("POST", "/rses/{src}/distances/{dst}", ctx => SetDistance(ctx, mustBeNew: true, 201), "AddDistance", "RSEs");
        app.Map("PUT", "/rses/{src}/distances/{dst}", ctx => SetDistance(ctx, mustBeNew: false, 200), "UpdateDistance", "RSEs");
    }

    /// <summary>An RSE with its protocols and the settings a client needs to build PFNs (Rucio's "RSE info").</summary>
    internal static async Task<RucioRseInfo> RseInfo(HttpContext ctx, string name)
    {
        var rses = Catalog(ctx);
        var rse = await rses.GetAsync(name);
        return WireFormat.RseInfo(rse, await rses.AttributesAsync(rse.Name), await rses.ProtocolsAsync(rse.Id));
    }

    private static async Task SetDistance(HttpContext ctx, bool mustBeNew, int status)
    {
        Caller.Of(ctx).RequireAdmin("set distances");
        var body = await Wire.ReadObject(ctx);
        var distance = body.OptLong("distance") ?? body.OptLong("ranking") ?? throw new FerryException("KeyError", 400, "'distance' not defined");
        if (distance is < 0 or > int.MaxValue) throw FerryException.Invalid($"Invalid distance {distance}");
        await Catalog(ctx).SetDistanceAsync(ctx.Route("src"), ctx.Route("dst"), (int)distance, body.OptBool("bidirectional") ?? false, mustBeNew);
        await Wire.WriteText(ctx, status == 201 ? "Created" : "", status);
    }

    internal static RseSettings Settings(JsonObject body)
    {
        var known = new HashSet<string> { "deterministic", "volatile", "rse_type", "staging_area", "availability", "availability_read",
            "availability_write", "availability_delete", "city", "region_code", "country_name", "continent", "time_zone", "ISP", "ASN",
            "longitude", "latitude", "qos_class" };
        if (body.Select(p => p.Key).FirstOrDefault(k => !known.Contains(k)) is { } unknown) throw new FerryException("InputValidationError", 400, $"The key '{unknown}' does not exist for RSE properties.");
        var availability = body.OptLong("availability");
        if (availability is not null && (body.ContainsKey("availability_read") || body.ContainsKey("availability_write") || body.ContainsKey("availability_delete")))
            throw new FerryException("InputValidationError", 422, "Give either 'availability' or the availability_read/write/delete flags, not both");
        if (availability is < 0 or > 7) throw FerryException.Invalid("availability must be between 0 and 7");
        return new RseSettings(
            RseType: body.OptString("rse_type")?.ToUpperInvariant(), Deterministic: body.OptBool("deterministic"), Volatile: body.OptBool("volatile"),
            StagingArea: body.OptBool("staging_area"),
            AvailabilityRead: availability is { } a1 ? (a1 & 4) != 0 : body.OptBool("availability_read"),
            AvailabilityWrite: availability is { } a2 ? (a2 & 2) != 0 : body.OptBool("availability_write"),
            AvailabilityDelete: availability is { } a3 ? (a3 & 1) != 0 : body.OptBool("availability_delete"),
            Location: Location(body));
    }

    /// <summary>City, country, coordinates and the like: strings, numbers for longitude/latitude, null clears.</summary>
    private static Dictionary<string, object?> Location(JsonObject body)
    {
        var location = new Dictionary<string, object?>();
        foreach (var key in RseSettings.LocationColumns.Keys.Where(body.ContainsKey))
        {
            var node = body[key];
            if (key is "longitude" or "latitude")
            {
                double? number = node is null ? null : node is JsonValue v && v.TryGetValue<double>(out var d) ? d
                    : throw FerryException.Invalid($"'{key}' must be a number");
                if (number is { } n && (double.IsNaN(n) || Math.Abs(n) > (key == "longitude" ? 180 : 90)))
                    throw FerryException.Invalid($"'{key}' is out of range: {n}");
                location[key] = number;
            }
            else
            {
                var text = body.OptString(key);
                if (text is { Length: > 255 }) throw FerryException.Invalid($"'{key}' is limited to 255 characters");
                if (key is "region_code" or "continent" && text is { Length: > 2 }) throw FerryException.Invalid($"'{key}' is a two-letter code, got '{text}'");
                location[key] = text;
            }
        }
        return location;
    }

    internal static RseCatalog Catalog(HttpContext ctx) => ctx.RequestServices.GetRequiredService<RseCatalog>();
}
