using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Dialect;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// An RSE's space usage (dialect §6): what Ferry measures itself (source "rucio" from its catalogue, "storage" from the
/// storage) and what outside tools report under sources of their own, with the history of those reports.
/// </summary>
internal static class RseUsageEndpoints
{
    /// <summary>The sources Ferry fills itself; a report under one of them would contradict the measurement.</summary>
    private static readonly string[] Measured = ["rucio", "storage"];

    public static void MapRseUsage(this IEndpointRouteBuilder app)
    {
        app.Map("GET", "/rses/{rse}/usage", async ctx =>
        {
            var rses = RseEndpoints.Catalog(ctx);
            var source = ctx.Query("source");
            var u = await rses.UsageAsync(ctx.Route("rse"));
            var rows = new List<RucioRseUsage>();
            if (source is null or "rucio")
                rows.Add(Row(u, "rucio", u.Used, null, u.Used, u.Files, ctx.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()));
            // As Rucio, what the storage itself reports is a row with source "storage".
            if (source is null or "storage" && await rses.FreeSpaceAsync(u.RseId) is { } space)
                rows.Add(Row(u, "storage", null, space.FreeBytes, null, null, space.UpdatedAt));
            foreach (var r in await rses.ReportedUsageAsync(u.RseId, source))
                rows.Add(Row(u, r.Source, r.Used, r.Free, (r.Used ?? 0) + (r.Free ?? 0), r.Files, r.UpdatedAt));
            return RucioResults.Stream(rows);
        }, "RseUsage", "RSEs");

        app.Map("PUT", "/rses/{rse}/usage", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("set RSE usage");
            var body = await Wire.ReadObject(ctx);
            var source = body.RequiredString("source");
            if (source.Length is 0 or > 255) throw FerryException.Invalid("'source' must be a name of 1 to 255 characters");
            if (Measured.Contains(source)) throw FerryException.Invalid($"Usage of source '{source}' is measured by Ferry itself and cannot be set");
            await RseEndpoints.Catalog(ctx).ReportUsageAsync(ctx.Route("rse"), source, Amount(body, "used"), Amount(body, "free"), Amount(body, "files"));
            await Wire.Ok(ctx);
        }, "SetRseUsage", "RSEs");

        app.Map("GET", "/rses/{rse}/usage/history", async ctx =>
        {
            var rses = RseEndpoints.Catalog(ctx);
            var rse = await rses.GetAsync(ctx.Route("rse"));
            var u = new RseUsage(rse.Id, rse.Name, 0, 0);
            var history = await rses.UsageHistoryAsync(rse.Id, ctx.Query("source"));
            return RucioResults.Stream(history.Select(r => Row(u, r.Source, r.Used ?? 0, r.Free ?? 0, (r.Used ?? 0) + (r.Free ?? 0), r.Files, r.UpdatedAt)));
        }, "RseUsageHistory", "RSEs");

        app.Map("GET", "/rses/{rse}/accounts/usage", async ctx =>
        {
            var rse = await RseEndpoints.Catalog(ctx).GetAsync(ctx.Route("rse"));
            var usage = await RseEndpoints.Catalog(ctx).AccountUsageAsync(rse.Id);
            return RucioResults.Stream(usage.Select(a => new RucioRseAccountUsage
            {
                RseId = rse.Id, Rse = rse.Name, Account = a.Account, UsedFiles = a.Files, UsedBytes = a.Bytes, QuotaBytes = a.Quota,
            }));
        }, "RseAccountUsage", "RSEs");
    }

    private static RucioRseUsage Row(RseUsage u, string source, long? used, long? free, long? total, long? files, DateTimeOffset at) => new()
    {
        RseId = u.RseId, Rse = u.Rse, Source = source, Used = used, Free = free, Total = total, Files = files, UpdatedAt = at,
    };

    private static long? Amount(System.Text.Json.Nodes.JsonObject body, string key) =>
        body.OptLong(key) is { } n && n < 0 ? throw FerryException.Invalid($"'{key}' must not be negative") : body.OptLong(key);
}
