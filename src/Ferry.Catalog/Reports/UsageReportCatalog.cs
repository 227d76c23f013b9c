using Dapper;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Db;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;

namespace Ferry.Catalog.Reports;

/// <summary>Bytes and files of an account's locks under one dataset on one RSE.</summary>
public sealed record DatasetUsage(string Scope, string Name, long Bytes, long Files);

/// <summary>
/// One RSE of a usage report: the account's local limit (null: none set; <see cref="QuotaCatalog.Unlimited"/>: unlimited),
/// what its locks there use, and the datasets holding most of it.
/// </summary>
public sealed record RseUsageReport(string RseId, string Rse, long? Limit, long Bytes, long Files, IReadOnlyList<DatasetUsage> TopDatasets);

/// <summary>Per-RSE usage of an account with its top datasets by bytes locked, aggregated in the database in one read.</summary>
public sealed class UsageReportCatalog(ICatalogDatabase db)
{
    public const int MaxTop = 1000;

    /// <summary>
    /// With an expression: every RSE it selects, used or not. Without: every RSE where the account has usage or a limit.
    /// A file in several datasets counts for each of them; files locked outside any dataset count in the RSE's total only.
    /// </summary>
    public Task<IReadOnlyList<RseUsageReport>> ReportAsync(string account, string? rseExpression, int top)
    {
        if (top is < 0 or > MaxTop) throw FerryException.Invalid($"top must be between 0 and {MaxTop}, got {top}");
        return db.ReadAsync<IReadOnlyList<RseUsageReport>>(async c =>
        {
            if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM accounts WHERE name=@account", new { account }) == 0)
                throw FerryException.AccountNotFound(account);
            var rses = (await c.QueryAsync<(string Id, string Name)>("SELECT id, name FROM rses WHERE deleted=0")).ToList();
            var usage = (await c.QueryAsync<(string RseId, long Files, long Bytes)>(
                "SELECT rse_id, files, bytes FROM account_usage WHERE account=@account", new { account })).ToDictionary(u => u.RseId);
            var limits = (await c.QueryAsync<(string RseId, long Bytes)>(
                "SELECT rse_id, bytes FROM account_limits WHERE account=@account", new { account })).ToDictionary(l => l.RseId, l => l.Bytes);

            IEnumerable<(string Id, string Name)> chosen;
            if (rseExpression is not null)
            {
                var names = RseExpression.Parse(rseExpression).Evaluate(await RseCatalog.Facts(c, null)).ToHashSet(StringComparer.Ordinal);
                chosen = rses.Where(r => names.Contains(r.Name));
            }
            else chosen = rses.Where(r => limits.ContainsKey(r.Id) || (usage.TryGetValue(r.Id, out var u) && (u.Bytes != 0 || u.Files != 0)));
            var list = chosen.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

            List<(string RseId, string Scope, string Name, long Bytes, long Files)> rows = top == 0 ? [] : (await c.QueryAsync<(string RseId, string Scope, string Name, long Bytes, long Files)>("""
                WITH per AS (
                    SELECT l.rse_id, ct.scope, ct.name, SUM(l.bytes) AS bytes, COUNT(*) AS files
                    FROM locks l JOIN contents ct ON ct.child_scope=l.scope AND ct.child_name=l.name
                    WHERE l.account=@account GROUP BY l.rse_id, ct.scope, ct.name),
                ranked AS (SELECT per.*, ROW_NUMBER() OVER (PARTITION BY rse_id ORDER BY bytes DESC, scope, name) AS rank FROM per)
                SELECT rse_id, scope, name, bytes, files FROM ranked WHERE rank<=@top ORDER BY rse_id, rank
                """, new { account, top })).AsList();
            var datasets = rows.ToLookup(d => d.RseId);

            return list.Select(r =>
            {
                var u = usage.GetValueOrDefault(r.Id);
                return new RseUsageReport(r.Id, r.Name, limits.TryGetValue(r.Id, out var l) ? l : null, u.Bytes, u.Files,
                    datasets[r.Id].Select(d => new DatasetUsage(d.Scope, d.Name, d.Bytes, d.Files)).ToList());
            }).ToList();
        });
    }
}
