using Dapper;
using Ferry.Catalog.Db;
using Ferry.Core.Errors;

namespace Ferry.Catalog.Accounts;

public sealed record IdentityRow(string Identity, string Authtype, string Account, string? Email);

/// <summary>
/// Identities other than passwords (X.509 DNs, OIDC subjects), token revocation, and the failed-login record that
/// drives lockout. Passwords stay in <see cref="AccountCatalog"/>.
/// </summary>
public sealed class IdentityCatalog(ICatalogDatabase db, TimeProvider clock, AccountCatalog accounts)
{
    public static readonly IReadOnlyList<string> Types = ["USERPASS", "X509", "OIDC"];

    /// <summary>An identity proven outside Ferry (a certificate DN, an OIDC subject): no secret is stored.</summary>
    public Task AddExternalAsync(string account, string identity, string authtype, string? email) => db.WriteAsync(async (c, tx) =>
    {
        if (authtype is not ("X509" or "OIDC" or "GSS" or "SSH")) throw FerryException.Invalid($"Identity type {authtype} takes no password here; use X509, OIDC, GSS or SSH");
        if (string.IsNullOrWhiteSpace(identity) || identity.Length > 1024) throw FerryException.Invalid("The identity must be 1-1024 characters");
        await AccountCatalog.RequireAccount(c, tx, account);
        return await c.ExecuteAsync("""
            INSERT INTO identities(identity,authtype,account,email) VALUES (@identity,@authtype,@account,@email)
            ON CONFLICT(identity,authtype,account) DO NOTHING
            """, new { identity, authtype, account, email }, tx);
    });

    public Task<IReadOnlyList<IdentityRow>> ListAsync(string account) => db.ReadAsync<IReadOnlyList<IdentityRow>>(async c =>
        (await c.QueryAsync<IdentityRow>("SELECT identity, authtype, account, email FROM identities WHERE account=@account ORDER BY authtype, identity",
            new { account })).AsList());

    /// <summary>Removes an identity and every session it opened, so a removed certificate or subject stops working at once.</summary>
    public Task DeleteAsync(string account, string identity, string authtype) => accounts.Changing(db.WriteAsync(async (c, tx) =>
    {
        var n = await c.ExecuteAsync("DELETE FROM identities WHERE account=@account AND identity=@identity AND authtype=@authtype",
            new { account, identity, authtype }, tx);
        if (n == 0) throw FerryException.NotFound("IdentityNotFound", $"Account {account} has no {authtype} identity '{identity}'");
        return await c.ExecuteAsync("DELETE FROM tokens WHERE account=@account AND identity=@identity", new { account, identity }, tx);
    }));

    /// <summary>The accounts an identity maps to.</summary>
    public Task<IReadOnlyList<string>> AccountsForAsync(string identity, string authtype) => db.ReadAsync<IReadOnlyList<string>>(async c =>
        (await c.QueryAsync<string>("SELECT account FROM identities WHERE identity=@identity AND authtype=@authtype ORDER BY account",
            new { identity, authtype })).AsList());

    /// <summary>Ends an opaque session now. False when no such session exists.</summary>
    public Task<bool> DeleteTokenAsync(string token) => accounts.Changing(db.WriteAsync(async (c, tx) =>
        await c.ExecuteAsync("DELETE FROM tokens WHERE token=@t", new { t = AccountCatalog.TokenKey(token) }, tx) > 0));

    /// <summary>The account of an opaque token, expired or not (to decide who may revoke it).</summary>
    public Task<string?> TokenAccountAsync(string token) =>
        db.ReadAsync(c => c.QuerySingleOrDefaultAsync<string?>("SELECT account FROM tokens WHERE token=@t", new { t = AccountCatalog.TokenKey(token) }));

    /// <summary>Records a bearer token (by a key: its issuer and jti, or a digest) as revoked until it would expire anyway.</summary>
    public Task RevokeAsync(string tokenKey, string? account, DateTimeOffset expiresAt) => accounts.Changing(db.WriteAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        await c.ExecuteAsync("DELETE FROM revoked_tokens WHERE expires_at < @now", new { now }, tx);
        return await c.ExecuteAsync("""
            INSERT INTO revoked_tokens(token_key,account,expires_at,revoked_at) VALUES (@tokenKey,@account,@expiresAt,@now)
            ON CONFLICT(token_key) DO NOTHING
            """, new { tokenKey, account, expiresAt, now }, tx);
    }));

    public async Task<bool> IsRevokedAsync(string tokenKey) =>
        await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM revoked_tokens WHERE token_key=@tokenKey", new { tokenKey })) > 0;

    /// <summary>Records a failed login of an identity; old failures (beyond <paramref name="keep"/>) are pruned.</summary>
    public Task RecordFailureAsync(string identity, string authType, TimeSpan keep) => db.WriteAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        await c.ExecuteAsync("DELETE FROM auth_failures WHERE at < @cutoff", new { cutoff = now - keep }, tx);
        return await c.ExecuteAsync("INSERT INTO auth_failures(identity,auth_type,at) VALUES (@identity,@authType,@now)", new { identity, authType, now }, tx);
    });

    /// <summary>The times of an identity's failed logins since <paramref name="since"/>, oldest first.</summary>
    public Task<IReadOnlyList<DateTimeOffset>> FailuresSinceAsync(string identity, string authType, DateTimeOffset since) =>
        db.ReadAsync<IReadOnlyList<DateTimeOffset>>(async c => (await c.QueryAsync<DateTimeOffset>(
            "SELECT at FROM auth_failures WHERE identity=@identity AND auth_type=@authType AND at >= @since ORDER BY at",
            new { identity, authType, since })).AsList());

    public Task ClearFailuresAsync(string identity, string authType) => db.WriteAsync(async (c, tx) =>
        await c.ExecuteAsync("DELETE FROM auth_failures WHERE identity=@identity AND auth_type=@authType", new { identity, authType }, tx));
}
