using Ferry.Catalog.Accounts;
using Ferry.Catalog.Rses;
using Ferry.Core.Time;
using Ferry.Server.Endpoints;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Ui;

/// <summary>
/// The one aggregate the web UI needs beside the dialect: per RSE what is stored, what the storage says is free, and
/// the account's usage against its quota, in one call (the dialect needs two or three calls per RSE for the same).
/// </summary>
internal static class UiEndpoints
{
    public static void MapUi(this IEndpointRouteBuilder app)
    {
        app.Map("GET", "/ferry/ui/storage", async ctx =>
        {
            var caller = Caller.Of(ctx);
            var account = ctx.Query("account") is { Length: > 0 } a ? a : caller.Account;
            caller.RequireSelfOrAdmin(account, "read the storage usage and quotas");
            var accounts = ctx.RequestServices.GetRequiredService<AccountCatalog>();
            var quotas = ctx.RequestServices.GetRequiredService<QuotaCatalog>();
            var rses = ctx.RequestServices.GetRequiredService<RseCatalog>();
            await accounts.GetAsync(account);
            var usage = (await accounts.UsageAsync(account)).ToDictionary(u => u.RseId);
            var limits = (await quotas.LocalAsync(account)).ToDictionary(l => l.RseId, l => l.Bytes);
            var rows = new List<Dictionary<string, object?>>();
            foreach (var rse in (await rses.ListAsync()).OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                var stored = await rses.UsageAsync(rse.Name);
                var free = await rses.FreeSpaceAsync(rse.Id);
                var rseLimits = await rses.LimitsAsync(rse.Id);
                var mine = usage.GetValueOrDefault(rse.Id);
                rows.Add(new()
                {
                    ["rse"] = rse.Name, ["rse_type"] = rse.RseType, ["volatile"] = rse.Volatile,
                    ["availability_read"] = rse.AvailabilityRead, ["availability_write"] = rse.AvailabilityWrite, ["availability_delete"] = rse.AvailabilityDelete,
                    ["used_bytes"] = stored.Used, ["files"] = stored.Files,
                    ["free_bytes"] = free?.FreeBytes, ["free_updated_at"] = RucioTime.Format(free?.UpdatedAt),
                    ["min_free_space"] = rseLimits.TryGetValue("MinFreeSpace", out var m) ? m : null,
                    ["account_bytes"] = mine?.Bytes ?? 0, ["account_files"] = mine?.Files ?? 0,
                    // As the dialect's usage listing: no limit set is 0 (a non-admin may lock nothing here), unlimited the largest long.
                    ["limit_set"] = limits.ContainsKey(rse.Id),
                    ["bytes_limit"] = limits.TryGetValue(rse.Id, out var l) ? AccountUsageEndpoints.Limit(l) : 0,
                });
            }
            var globals = (await quotas.GlobalAsync(account)).Select(g => new Dictionary<string, object?>
            {
                ["rse_expression"] = g.RseExpression, ["rses"] = g.Rses, ["bytes_limit"] = AccountUsageEndpoints.Limit(g.Bytes),
                ["bytes"] = usage.Values.Where(u => g.Rses.Contains(u.Rse)).Sum(u => u.Bytes),
            });
            await Wire.WriteJson(ctx, new Dictionary<string, object?> { ["account"] = account, ["rses"] = rows, ["global_limits"] = globals });
        }, "UiStorage", "UI");
    }
}
