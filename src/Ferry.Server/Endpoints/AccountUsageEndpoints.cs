using Ferry.Catalog.Accounts;
using Ferry.Catalog.Rses;
using Ferry.Core.Dialect;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>The per-RSE and per-expression forms of account usage and limits (dialect §9) beside the listings in AccountEndpoints.</summary>
internal static class AccountUsageEndpoints
{
    public static void MapAccountUsage(this IEndpointRouteBuilder app)
    {
        app.Map("GET", "/accounts/{account}/usage/local/{rse}", async ctx =>
        {
            var account = ctx.Route("account");
            var rse = await ctx.RequestServices.GetRequiredService<RseCatalog>().GetAsync(ctx.Route("rse"));
            var usage = (await Accounts(ctx).UsageAsync(account)).FirstOrDefault(u => u.RseId == rse.Id);
            var limit = (await Quotas(ctx).LocalAsync(account)).FirstOrDefault(l => l.RseId == rse.Id);
            return RucioResults.Stream([Local(rse.Id, rse.Name, usage?.Bytes ?? 0, usage?.Files ?? 0, limit?.Bytes)]);
        }, "AccountUsageOnRse", "Accounts");

        app.Map("GET", "/accounts/{account}/usage/global", ctx => Global(ctx, null), "AccountGlobalUsage", "Accounts");
        app.Map("GET", "/accounts/{account}/usage/global/{expression}", ctx => Global(ctx, ctx.Route("expression")),
            "AccountGlobalUsageOfExpression", "Accounts");

        app.Map("GET", "/accounts/{account}/limits/global/{expression}", async ctx =>
        {
            var expression = ctx.Route("expression");
            var limit = (await Quotas(ctx).GlobalAsync(ctx.Route("account"))).FirstOrDefault(g => g.RseExpression == expression);
            return RucioResults.Json(new Dictionary<string, long?> { [expression] = limit is null ? null : Limit(limit.Bytes) });
        }, "AccountGlobalLimit", "Quotas");
    }

    /// <summary>One line of local usage; a missing limit is a limit of 0, as in Rucio, and an unlimited one the largest long.</summary>
    public static RucioAccountUsage Local(string rseId, string rse, long bytes, long files, long? limitBytes)
    {
        var limit = limitBytes is { } l ? Limit(l) : 0;
        return new() { RseId = rseId, Rse = rse, Bytes = bytes, Files = files, BytesLimit = limit, BytesRemaining = Remaining(limit, bytes) };
    }

    private static long Remaining(long limit, long bytes) => limit == long.MaxValue ? long.MaxValue : limit - bytes;

    private static async Task<RucioStream<RucioAccountGlobalUsage>> Global(HttpContext ctx, string? only)
    {
        var account = ctx.Route("account");
        var usage = await Accounts(ctx).UsageAsync(account);
        var rows = (await Quotas(ctx).GlobalAsync(account)).Where(g => only is null || g.RseExpression == only).Select(g =>
        {
            var covered = usage.Where(u => g.Rses.Contains(u.Rse)).ToList();
            long bytes = covered.Sum(u => u.Bytes), limit = Limit(g.Bytes);
            return new RucioAccountGlobalUsage
                { RseExpression = g.RseExpression, Bytes = bytes, Files = covered.Sum(u => u.Files), BytesLimit = limit, BytesRemaining = Remaining(limit, bytes) };
        });
        return RucioResults.Stream(rows);
    }

    /// <summary>Rucio answers an unlimited quota with Python's Infinity, which is not JSON; Ferry uses the largest long, which every client reads.</summary>
    public static long Limit(long bytes) => bytes == QuotaCatalog.Unlimited ? long.MaxValue : bytes;

    private static AccountCatalog Accounts(HttpContext ctx) => ctx.RequestServices.GetRequiredService<AccountCatalog>();
    private static QuotaCatalog Quotas(HttpContext ctx) => ctx.RequestServices.GetRequiredService<QuotaCatalog>();
}
