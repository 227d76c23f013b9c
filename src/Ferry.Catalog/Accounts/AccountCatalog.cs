using System.Security.Cryptography;
using System.Text;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;

namespace Ferry.Catalog.Accounts;

public sealed record TokenInfo(string Token, string Account, DateTimeOffset ExpiresAt);
public sealed record ScopeOwner(string Scope, string Account);

public sealed record AccountUsage
{
    public required string RseId { get; init; }
    public required string Rse { get; init; }
    public long Files { get; init; }
    public long Bytes { get; init; }
}

/// <summary>Accounts, their attributes and userpass identities, auth tokens and scopes.</summary>
public sealed class AccountCatalog(ICatalogDatabase db, TimeProvider clock)
{
    private readonly AuthChanges _changes = new();

    /// <summary>Bumped after each change to sessions or account facts; what the server's session cache compares.</summary>
    public AuthChanges Changes => _changes;

    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    private const int Pbkdf2Iterations = 20_000;

    public Task<Account?> FindAsync(string name) =>
        db.ReadAsync(c => c.QuerySingleOrDefaultAsync<Account>("SELECT * FROM accounts WHERE name=@name", new { name }));

    public async Task<Account> GetAsync(string name) => await FindAsync(name) ?? throw FerryException.AccountNotFound(name);

    public Task<IReadOnlyList<Account>> ListAsync() =>
        db.ReadAsync<IReadOnlyList<Account>>(async c => (await c.QueryAsync<Account>("SELECT * FROM accounts ORDER BY name")).AsList());

    /// <summary>
    /// Rucio's account listing: active accounts only, filtered by <c>account</c> (with * wildcards), <c>account_type</c>,
    /// <c>identity</c>, and any other key as an account attribute that must have that value.
    /// </summary>
    public Task<IReadOnlyList<Account>> ListAsync(IReadOnlyDictionary<string, string> filter) => db.ReadAsync<IReadOnlyList<Account>>(async c =>
    {
        var sql = new System.Text.StringBuilder("SELECT * FROM accounts a WHERE a.status='ACTIVE'");
        var args = new DynamicParameters();
        var n = 0;
        foreach (var (key, value) in filter)
        {
            switch (key)
            {
                case "account":
                    sql.Append(" AND a.name LIKE @account ESCAPE '\\'");
                    args.Add("account", value.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_").Replace('*', '%'));
                    break;
                case "account_type": sql.Append(" AND a.type=@type"); args.Add("type", (int)EnumNames.ParseAccountType(value)); break;
                case "identity":
                    // A DN may be asked for in the comma form; X509 identities are kept in the slash form.
                    sql.Append(" AND EXISTS (SELECT 1 FROM identities i WHERE i.account=a.name AND (i.identity=@identity OR i.identity=@slash))");
                    args.Add("identity", value);
                    args.Add("slash", DistinguishedName.ToSlashForm(value));
                    break;
                default:
                    sql.Append($" AND EXISTS (SELECT 1 FROM account_attrs t WHERE t.account=a.name AND t.key=@k{n} AND t.value=@v{n})");
                    args.Add($"k{n}", key);
                    args.Add($"v{n}", value is "True" ? "true" : value is "False" ? "false" : value);
                    n++;
                    break;
            }
        }
        return (await c.QueryAsync<Account>(sql.Append(" ORDER BY a.name").ToString(), args)).AsList();
    });

    /// <summary>
    /// Changes an account's status (ACTIVE or SUSPENDED) or email. Suspending ends the account's sessions at once and
    /// refuses new logins until it is active again.
    /// </summary>
    public Task UpdateAsync(string name, string? status, string? email) => Changing(db.WriteAsync(async (c, tx) =>
    {
        await RequireAccount(c, tx, name);
        if (status is not null && status is not ("ACTIVE" or "SUSPENDED"))
            throw FerryException.Invalid($"An account's status is ACTIVE or SUSPENDED, not '{status}'");
        if (email is { Length: > 255 }) throw FerryException.Invalid("The email is limited to 255 characters");
        var now = clock.GetUtcNow();
        await c.ExecuteAsync("UPDATE accounts SET status=COALESCE(@status,status), email=COALESCE(@email,email), updated_at=@now WHERE name=@name",
            new { name, status, email, now }, tx);
        if (status == "SUSPENDED") await c.ExecuteAsync("DELETE FROM tokens WHERE account=@name", new { name }, tx);
        return 0;
    }));

    /// <summary>
    /// Rucio's account deletion: the account stays (its DIDs, rules and history name it) with status DELETED, is
    /// left out of listings, and can no longer log in; its sessions end at once.
    /// </summary>
    public Task DeleteAsync(string name) => Changing(db.WriteAsync(async (c, tx) =>
    {
        var status = await c.ExecuteScalarAsync<string?>("SELECT status FROM accounts WHERE name=@name", new { name }, tx);
        if (status is null or "DELETED") throw FerryException.AccountNotFound(name);
        if (name == "root") throw FerryException.Invalid("The root account cannot be deleted");
        await c.ExecuteAsync("UPDATE accounts SET status='DELETED', updated_at=@now WHERE name=@name", new { name, now = clock.GetUtcNow() }, tx);
        await c.ExecuteAsync("DELETE FROM tokens WHERE account=@name", new { name }, tx);
        return 0;
    }));

    public Task AddAsync(string name, AccountType type, string? email) => db.WriteAsync(async (c, tx) =>
    {
        Names.Account(name);
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM accounts WHERE name=@name", new { name }, tx) > 0)
            throw FerryException.Conflict("Duplicate", $"Account '{name}' already exists");
        var now = clock.GetUtcNow();
        await c.ExecuteAsync("INSERT INTO accounts(name,type,status,email,created_at,updated_at) VALUES (@name,@type,'ACTIVE',@email,@now,@now)",
            new { name, type, email, now }, tx);
        return 0;
    });

    public Task<IReadOnlyDictionary<string, string>> AttributesAsync(string account) => db.ReadAsync<IReadOnlyDictionary<string, string>>(async c =>
        (await c.QueryAsync<(string Key, string Value)>("SELECT key, value FROM account_attrs WHERE account=@account ORDER BY key", new { account }))
            .ToDictionary(r => r.Key, r => r.Value));

    public async Task<bool> IsAdminAsync(string account) =>
        (await AttributesAsync(account)).TryGetValue("admin", out var v) && v.Equals("true", StringComparison.OrdinalIgnoreCase);

    public Task SetAttributeAsync(string account, string key, string value) => Changing(db.WriteAsync(async (c, tx) =>
    {
        if (string.IsNullOrWhiteSpace(key) || key.Length > 255) throw FerryException.Invalid("Attribute key must be 1-255 characters");
        await RequireAccount(c, tx, account);
        await c.ExecuteAsync("INSERT INTO account_attrs(account,key,value) VALUES (@account,@key,@value) ON CONFLICT(account,key) DO UPDATE SET value=excluded.value",
            new { account, key, value }, tx);
        return 0;
    }));

    public Task DeleteAttributeAsync(string account, string key) => Changing(db.WriteAsync(async (c, tx) =>
        await c.ExecuteAsync("DELETE FROM account_attrs WHERE account=@account AND key=@key", new { account, key }, tx)));

    public Task AddUserpassAsync(string account, string username, string password, string? email) => db.WriteAsync(async (c, tx) =>
    {
        if (string.IsNullOrEmpty(username) || username.Length > 255) throw FerryException.Invalid("Username must be 1-255 characters");
        if (string.IsNullOrEmpty(password)) throw FerryException.Invalid("Password must not be empty");
        await RequireAccount(c, tx, account);
        var salt = RandomNumberGenerator.GetBytes(16);
        await c.ExecuteAsync("""
            INSERT INTO identities(identity,authtype,account,password_hash,salt,email) VALUES (@username,'USERPASS',@account,@hash,@salt,@email)
            ON CONFLICT(identity,authtype,account) DO UPDATE SET password_hash=excluded.password_hash, salt=excluded.salt
            """, new { username, account, hash = Hash(password, salt), salt = Convert.ToHexString(salt), email }, tx);
        return 0;
    });

    /// <summary>Checks a username/password for an account (or the only account the identity maps to) and issues a token.</summary>
    public async Task<TokenInfo> LoginAsync(string username, string password, string? account)
    {
        var rows = await db.ReadAsync(async c => (await c.QueryAsync<(string Account, string PasswordHash, string Salt)>(
            "SELECT account, password_hash, salt FROM identities WHERE identity=@username AND authtype='USERPASS'", new { username })).AsList());
        if (account is not null) rows = rows.Where(r => r.Account == account).ToList();
        var match = rows.FirstOrDefault(r => CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Hash(password, Convert.FromHexString(r.Salt))), Encoding.ASCII.GetBytes(r.PasswordHash)));
        if (match.Account is null || (account is null && rows.Count > 1))
            throw new FerryException("CannotAuthenticate", 401, $"Cannot authenticate to account {account ?? "(none given)"} with given credentials");
        return await IssueTokenAsync(match.Account, username, $"{match.Account}-{username}-ferry");
    }

    /// <summary>A new opaque token for an account whose identity was proven some other way (userpass, X.509).</summary>
    public async Task<TokenInfo> IssueTokenAsync(string account, string identity, string prefix)
    {
        if (await db.ReadAsync(c => c.ExecuteScalarAsync<string?>("SELECT status FROM accounts WHERE name=@account", new { account })) is "SUSPENDED" or "DELETED")
            throw new FerryException("CannotAuthenticate", 401, $"Account {account} is suspended or deleted");
        var token = $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        var expires = clock.GetUtcNow() + TokenLifetime;
        await db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("DELETE FROM tokens WHERE expires_at < @now", new { now = clock.GetUtcNow() }, tx);
            return await c.ExecuteAsync("INSERT INTO tokens(token,account,identity,expires_at) VALUES (@t,@a,@u,@e)",
                new { t = TokenKey(token), a = account, u = identity, e = expires }, tx);
        });
        return new TokenInfo(token, account, expires);
    }

    /// <summary>The token's account, or null when the token is unknown or expired.</summary>
    public async Task<TokenInfo?> ValidateAsync(string token)
    {
        var rows = await db.ReadPreparedAsync<TokenRow>("SELECT account AS Account, expires_at AS ExpiresAt FROM tokens WHERE token=@t", ("t", TokenKey(token)));
        if (rows.Count == 0) return null;
        var r = rows[0];
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(r.ExpiresAt);
        return expires > clock.GetUtcNow() ? new TokenInfo(token, r.Account, expires) : null;
    }

    public Task AddScopeAsync(string scope, string account) => db.WriteAsync(async (c, tx) =>
    {
        Names.Scope(scope);
        await RequireAccount(c, tx, account);
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scopes WHERE scope=@scope", new { scope }, tx) > 0)
            throw FerryException.Conflict("Duplicate", $"Scope '{scope}' already exists");
        return await c.ExecuteAsync("INSERT INTO scopes(scope,account,created_at) VALUES (@scope,@account,@now)", new { scope, account, now = clock.GetUtcNow() }, tx);
    });

    public Task<IReadOnlyList<ScopeOwner>> ScopesAsync(string? account = null) => db.ReadAsync<IReadOnlyList<ScopeOwner>>(async c =>
        (await c.QueryAsync<ScopeOwner>("SELECT scope, account FROM scopes WHERE @account IS NULL OR account=@account ORDER BY scope", new { account })).AsList());

    public Task<string?> ScopeOwnerAsync(string scope) =>
        db.ReadAsync(c => c.QuerySingleOrDefaultAsync<string?>("SELECT account FROM scopes WHERE scope=@scope", new { scope }));

    /// <summary>Bytes and files of the account's locks per RSE (what quotas charge).</summary>
    public Task<IReadOnlyList<AccountUsage>> UsageAsync(string account) => db.ReadAsync<IReadOnlyList<AccountUsage>>(async c =>
        (await c.QueryAsync<AccountUsage>("""
            SELECT u.rse_id, r.name AS rse, u.files, u.bytes FROM account_usage u JOIN rses r ON r.id=u.rse_id
            WHERE u.account=@account AND (u.files<>0 OR u.bytes<>0) ORDER BY r.name
            """, new { account })).AsList());

    /// <summary>First start: root with the given password, admin, owning no scope yet. Does nothing if root exists.</summary>
    public async Task<bool> BootstrapRootAsync(string password)
    {
        if (await FindAsync("root") is not null) return false;
        await AddAsync("root", AccountType.Service, "root@localhost");
        await SetAttributeAsync("root", "admin", "true");
        await AddUserpassAsync("root", "root", password, null);
        return true;
    }

    /// <summary>Bumps the change counter once the change committed (or failed: a needless recheck costs one query).</summary>
    internal async Task<T> Changing<T>(Task<T> write)
    {
        try { return await write; }
        finally { _changes.Bump(); }
    }

    internal static async Task RequireAccount(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string account)
    {
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM accounts WHERE name=@account", new { account }, tx) == 0)
            throw FerryException.AccountNotFound(account);
    }

    private static string Hash(string password, byte[] salt) =>
        Convert.ToHexStringLower(Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Pbkdf2Iterations, HashAlgorithmName.SHA256, 32));

    // Only a digest of each token is stored, so a copy of the catalogue grants no sessions.
    private sealed record TokenRow(string Account, long ExpiresAt);

    internal static string TokenKey(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
