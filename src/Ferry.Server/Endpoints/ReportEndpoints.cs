using Ferry.Catalog.Accounts;
using Ferry.Catalog.Db;
using Ferry.Catalog.Reports;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Time;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// Ferry extensions beside the dialect for watchers and reports: the progress of many rules in one call (the dialect
/// needs one GET per rule), and an account's usage per RSE with its top datasets, aggregated in the database.
/// </summary>
internal static class ReportEndpoints
{
    public static void MapReports(this IEndpointRouteBuilder app)
    {
        app.Map("POST", "/ferry/rules/progress", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var account = body.OptString("account");
            var ids = body.OptArray("rule_ids")?.Select(n => n?.GetValueKind() == System.Text.Json.JsonValueKind.String ? n.GetValue<string>()
                : throw new FerryException("TypeError", 400, "'rule_ids' must be a list of rule id strings")).ToList();
            if ((account is null) == (ids is null)) throw FerryException.Invalid("Give either 'rule_ids' (a list of rule ids) or 'account', not both or neither");
            var progress = new RuleProgressCatalog(Db(ctx));
            var found = account is not null ? await progress.OfAccountAsync(account) : await progress.OfRulesAsync(ids!);
            var present = found.Select(p => p.Rule.Id).ToHashSet(StringComparer.Ordinal);
            await Wire.WriteJson(ctx, new Dictionary<string, object?>
            {
                ["rules"] = found.Select(Progress),
                ["missing"] = ids?.Where(i => !present.Contains(i)).Distinct().ToList() ?? [],
            });
        }, "RulesProgress", "Rules");

        app.Map("GET", "/ferry/accounts/{account}/usage/report", async ctx =>
        {
            var account = ctx.Route("account");
            Caller.Of(ctx).RequireSelfOrAdmin(account, "read the usage report");
            var top = ctx.Query("top") is { } t ? int.TryParse(t, out var n) ? n : throw FerryException.Invalid($"top must be a whole number, got '{t}'") : 10;
            var expression = ctx.Query("rse_expression") is { Length: > 0 } e ? e : null;
            var rses = await new UsageReportCatalog(Db(ctx)).ReportAsync(account, expression, top);
            await Wire.WriteJson(ctx, new Dictionary<string, object?>
            {
                ["account"] = account, ["rse_expression"] = expression, ["top"] = top,
                ["generated_at"] = RucioTime.Format(ctx.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()),
                ["rses"] = rses.Select(r => new Dictionary<string, object?>
                {
                    ["rse_id"] = r.RseId, ["rse"] = r.Rse, ["bytes"] = r.Bytes, ["files"] = r.Files,
                    // As GET /accounts/{a}/usage/local: no limit set is 0 (nothing may be locked), unlimited the largest long.
                    ["bytes_limit"] = r.Limit switch { null => 0, QuotaCatalog.Unlimited => long.MaxValue, var l => l },
                    ["limit_set"] = r.Limit is not null,
                    ["datasets"] = r.TopDatasets.Select(d => new Dictionary<string, object?> { ["scope"] = d.Scope, ["name"] = d.Name, ["bytes"] = d.Bytes, ["files"] = d.Files }),
                }),
            });
        }, "AccountUsageReport", "Accounts");
    }

    private static Dictionary<string, object?> Progress(RuleProgress p) => new()
    {
        ["rule_id"] = p.Rule.Id, ["account"] = p.Rule.Account, ["scope"] = p.Rule.Scope, ["name"] = p.Rule.Name,
        ["rse_expression"] = p.Rule.RseExpression, ["copies"] = p.Rule.Copies, ["state"] = p.Rule.State.Wire(), ["error"] = p.Rule.Error,
        ["locks_ok_cnt"] = p.LocksOk, ["locks_replicating_cnt"] = p.LocksReplicating, ["locks_stuck_cnt"] = p.LocksStuck,
        ["bytes"] = p.Bytes, ["bytes_ok"] = p.BytesOk, ["bytes_replicating"] = p.BytesReplicating, ["bytes_stuck"] = p.BytesStuck,
        ["expires_at"] = RucioTime.Format(p.Rule.ExpiresAt), ["updated_at"] = RucioTime.Format(p.Rule.UpdatedAt),
    };

    private static ICatalogDatabase Db(HttpContext ctx) => ctx.RequestServices.GetRequiredService<ICatalogDatabase>();
}
