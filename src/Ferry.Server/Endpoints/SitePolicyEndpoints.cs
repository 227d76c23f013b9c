using Ferry.Catalog.Retention;
using Ferry.Catalog.Transfers;
using Ferry.Core.Errors;
using Ferry.Core.Policies;
using Ferry.Core.Rules;
using Ferry.Core.Time;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Endpoints;

/// <summary>Retention policies per RSE (dry run and apply), the checksum audit and the stalled-transfer check: what `ferry site run` drives.</summary>
internal static class SitePolicyEndpoints
{
    public static void MapSitePolicies(this IEndpointRouteBuilder app)
    {
        app.Map("PUT", "/ferry/retention/{rse}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("set retention policies");
            var body = await Wire.ReadObject(ctx);
            var ageBy = RetentionPolicy.ParseAgeBy(body.OptString("age_by") ?? "created");
            var days = body["min_age_days"] switch
            {
                null => throw new FerryException("KeyError", 400, "'min_age_days' not defined"),
                System.Text.Json.Nodes.JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => v.GetValue<double>(),
                _ => throw FerryException.Invalid("'min_age_days' must be a number"),
            };
            // The rules' one copies check (Ferry.Core.Rules.RuleSpec), with the 400 this endpoint has always answered.
            var copies = RuleSpec.CheckCopies(body.OptLong("min_copies") ?? throw new FerryException("KeyError", 400, "'min_copies' not defined"),
                "min_copies", FerryException.Invalid);
            if (days is < 0 or > 36500 || double.IsNaN(days)) throw FerryException.Invalid($"min_age_days must be between 0 and 36500, got {days}");
            var p = await Retention(ctx).SetAsync(ctx.Route("rse"), copies, TimeSpan.FromDays(days), ageBy);
            await Wire.WriteJson(ctx, View(p));
        }, "SetRetentionPolicy", "Retention");

        app.Map("GET", "/ferry/retention", async ctx => await Wire.WriteJson(ctx, (await Retention(ctx).ListAsync()).Select(View)), "ListRetentionPolicies", "Retention");

        app.Map("DELETE", "/ferry/retention/{rse}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("remove retention policies");
            await Retention(ctx).DeleteAsync(ctx.Route("rse"));
            await Wire.Ok(ctx);
        }, "DeleteRetentionPolicy", "Retention");

        app.Map("GET", "/ferry/retention/{rse}/dry-run", async ctx =>
        {
            var items = await Retention(ctx).PlanAsync(ctx.Route("rse"), Limit(ctx));
            await Wire.WriteJson(ctx, items.Select(Item));
        }, "DryRunRetention", "Retention");

        app.Map("POST", "/ferry/retention/{rse}/run", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("apply retention policies");
            var rse = ctx.Route("rse");
            var only = await DidRestriction.ReadAsync(ctx, await Wire.ReadObject(ctx, allowEmpty: true));
            var gone = await Retention(ctx).ApplyAsync(rse, Limit(ctx), only);
            if (gone.Count > 0) Log(ctx).LogInformation("Retention scheduled {Count} replica(s) on {Rse} for deletion", gone.Count, rse);
            await Wire.WriteJson(ctx, gone.Select(Item));
        }, "ApplyRetention", "Retention");

        app.Map("POST", "/ferry/audit/{rse}/run", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("audit replicas");
            var files = int.TryParse(ctx.Query("files"), out var n) ? n : 100;
            if (files is < 1 or > 100_000) throw FerryException.Invalid($"files must be between 1 and 100000, got {files}");
            var only = await DidRestriction.ReadAsync(ctx, await Wire.ReadObject(ctx, allowEmpty: true));
            var results = await ctx.RequestServices.GetRequiredService<Engine.Site.ChecksumAudit>().RunAsync(ctx.Route("rse"), files, ctx.RequestAborted, only);
            await Wire.WriteJson(ctx, results.Select(r => new Dictionary<string, object?> { ["scope"] = r.Scope, ["name"] = r.Name, ["outcome"] = r.Outcome, ["detail"] = r.Detail }));
        }, "AuditChecksums", "Retention");

        app.Map("POST", "/ferry/transfers/stalled", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("reset stalled transfers");
            var body = await Wire.ReadObject(ctx);
            var alert = body.OptLong("alert_after_seconds") ?? throw new FerryException("KeyError", 400, "'alert_after_seconds' not defined");
            var reset = body.OptLong("reset_after_seconds") ?? throw new FerryException("KeyError", 400, "'reset_after_seconds' not defined");
            var only = await DidRestriction.ReadAsync(ctx, body);
            var done = await ctx.RequestServices.GetRequiredService<StalledTransfers>().CheckAsync(TimeSpan.FromSeconds(alert), TimeSpan.FromSeconds(reset), only);
            foreach (var s in done)
                Log(ctx).LogWarning("Transfer {Id} of {Scope}:{Name} to {Rse} started {Started} has no outcome: {Action}", s.Id, s.Scope, s.Name, s.Destination, RucioTime.Format(s.StartedAt), s.Action);
            await Wire.WriteJson(ctx, done.Select(s => new Dictionary<string, object?>
            {
                ["id"] = s.Id, ["scope"] = s.Scope, ["name"] = s.Name, ["dst_rse"] = s.Destination, ["started_at"] = RucioTime.Format(s.StartedAt), ["action"] = s.Action,
            }));
        }, "CheckStalledTransfers", "Transfers");
    }

    private static int Limit(HttpContext ctx) => int.TryParse(ctx.Query("limit"), out var l) && l is > 0 and <= 1_000_000 ? l : 100_000;

    private static Dictionary<string, object?> View(RetentionPolicyView p) => new()
    {
        ["rse"] = p.Rse, ["min_copies"] = p.MinCopies, ["min_age_days"] = p.MinAge.TotalDays, ["age_by"] = RetentionPolicy.Wire(p.AgeBy),
        ["created_at"] = RucioTime.Format(p.CreatedAt), ["updated_at"] = RucioTime.Format(p.UpdatedAt),
    };

    private static Dictionary<string, object?> Item(RetentionItem i) => new()
        { ["scope"] = i.Scope, ["name"] = i.Name, ["bytes"] = i.Bytes, ["delete"] = i.Delete, ["reason"] = i.Reason };

    private static RetentionCatalog Retention(HttpContext ctx) => ctx.RequestServices.GetRequiredService<RetentionCatalog>();

    private static ILogger Log(HttpContext ctx) => ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Ferry.Site");
}
