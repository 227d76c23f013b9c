using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Rules;

namespace Ferry.Catalog.Accounts;

public sealed record LocalLimit
{
    public required string Rse { get; init; }
    public required string RseId { get; init; }
    public long Bytes { get; init; }
}

public sealed record GlobalLimit(string RseExpression, long Bytes, IReadOnlyList<string> Rses);

/// <summary>
/// Account limits per RSE (local) and per RSE expression (global), in bytes; -1 means unlimited. As in Rucio, a
/// non-admin account without a local limit on an RSE has no quota there.
/// </summary>
public sealed class QuotaCatalog(ICatalogDatabase db)
{
    public const long Unlimited = AccountQuota.Unlimited;

    public Task SetLocalAsync(string account, string rse, long bytes) => db.WriteAsync(async (c, tx) =>
    {
        if (bytes < -1) throw FerryException.Invalid($"A limit is a number of bytes, or -1 for unlimited; got {bytes}");
        await AccountCatalog.RequireAccount(c, tx, account);
        var r = await RseCatalog.Get(c, tx, rse);
        return await c.ExecuteAsync("INSERT INTO account_limits(account,rse_id,bytes) VALUES (@account,@Id,@bytes) ON CONFLICT(account,rse_id) DO UPDATE SET bytes=excluded.bytes",
            new { account, r.Id, bytes }, tx);
    });

    public Task DeleteLocalAsync(string account, string rse) => db.WriteAsync(async (c, tx) =>
    {
        var r = await RseCatalog.Get(c, tx, rse);
        return await c.ExecuteAsync("DELETE FROM account_limits WHERE account=@account AND rse_id=@Id", new { account, r.Id }, tx);
    });

    public Task<IReadOnlyList<LocalLimit>> LocalAsync(string account) => db.ReadAsync<IReadOnlyList<LocalLimit>>(async c =>
        (await c.QueryAsync<LocalLimit>("""
            SELECT r.name AS rse, l.rse_id, l.bytes FROM account_limits l JOIN rses r ON r.id=l.rse_id WHERE l.account=@account AND r.deleted=0 ORDER BY r.name
            """, new { account })).AsList());

    public Task SetGlobalAsync(string account, string expression, long bytes) => db.WriteAsync(async (c, tx) =>
    {
        if (bytes < -1) throw FerryException.Invalid($"A limit is a number of bytes, or -1 for unlimited; got {bytes}");
        await AccountCatalog.RequireAccount(c, tx, account);
        RseExpression.Parse(expression).Evaluate(await RseCatalog.Facts(c, tx));
        return await c.ExecuteAsync("""
            INSERT INTO account_global_limits(account,rse_expression,bytes) VALUES (@account,@expression,@bytes)
            ON CONFLICT(account,rse_expression) DO UPDATE SET bytes=excluded.bytes
            """, new { account, expression, bytes }, tx);
    });

    public Task DeleteGlobalAsync(string account, string expression) => db.WriteAsync((c, tx) =>
        c.ExecuteAsync("DELETE FROM account_global_limits WHERE account=@account AND rse_expression=@expression", new { account, expression }, tx));

    public Task<IReadOnlyList<GlobalLimit>> GlobalAsync(string account) => db.ReadAsync(c => Global(c, null, account));

    /// <param name="facts">The RSEs as the caller's transaction already read them, when it has them.</param>
    internal static async Task<IReadOnlyList<GlobalLimit>> Global(DbConnection c, DbTransaction? tx, string account, IReadOnlyList<RseFacts>? facts = null)
    {
        facts ??= await RseCatalog.Facts(c, tx);
        var rows = await c.QueryAsync<(string Expression, long Bytes)>("SELECT rse_expression, bytes FROM account_global_limits WHERE account=@account ORDER BY rse_expression", new { account }, tx);
        var result = new List<GlobalLimit>();
        foreach (var (expression, bytes) in rows)
        {
            IReadOnlyList<string> rses;
            try { rses = RseExpression.Parse(expression).Evaluate(facts); }
            catch (FerryException) { rses = []; }
            result.Add(new GlobalLimit(expression, bytes, rses));
        }
        return result;
    }

    /// <summary>
    /// The account's limits and usage for a placement to plan against (<see cref="AccountQuota.Remaining"/> does the
    /// arithmetic), read with the RSEs the placing transaction already holds.
    /// </summary>
    internal static async Task<AccountQuota> Load(DbConnection c, DbTransaction tx, string account, IReadOnlyList<RseFacts> rses)
    {
        var limits = (await c.QueryAsync<(string RseId, long Bytes)>("SELECT rse_id, bytes FROM account_limits WHERE account=@account", new { account }, tx))
            .ToDictionary(x => x.RseId, x => x.Bytes);
        var usage = (await c.QueryAsync<(string RseId, long Bytes)>("SELECT rse_id, bytes FROM account_usage WHERE account=@account", new { account }, tx))
            .ToDictionary(x => x.RseId, x => x.Bytes);
        var globals = (await Global(c, tx, account, rses)).Select(g => new GlobalQuota(g.Bytes, g.Rses.ToHashSet(StringComparer.Ordinal))).ToList();
        return new AccountQuota
        {
            Account = account, Limits = limits, Usage = usage, Globals = globals,
            RseNames = rses.ToDictionary(r => r.Properties["id"]!, r => r.Name),
            Exempt = rses.Where(r => r.Attributes.GetValueOrDefault("mock") == "true").Select(r => r.Properties["id"]!).ToHashSet(),
        };
    }

}
