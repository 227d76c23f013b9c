using System.Collections.Concurrent;
using System.Diagnostics;
using Ferry.Catalog.Accounts;

namespace Ferry.Server.Security;

/// <summary>
/// Validated opaque tokens and each account's admin flag, kept so that an authenticated request costs no query.
/// An entry is used only while (1) the token has not expired, (2) this process made no change to sessions or account
/// facts since it was read (<see cref="AuthChanges"/>: a revoke, suspension or attribute change through this server
/// applies to the very next request), and (3) it was read from the catalogue less than <see cref="Recheck"/> ago, so
/// a change made by another process (another server or worker on the same PostgreSQL, `ferry db`) applies within it.
/// Unknown tokens are never cached, so guessing fills nothing; past <see cref="MaxEntries"/> the cache starts over.
/// </summary>
public sealed class SessionCache(AccountCatalog accounts, TimeProvider clock)
{
    /// <summary>Half a second, so that a revocation anywhere is honoured within a second, query time included.</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(500);
    public const int MaxEntries = 10_000;

    private static readonly long RecheckTicks = (long)(Recheck.TotalSeconds * Stopwatch.Frequency);

    private sealed record Session(TokenInfo Token, long ReadAt, long Generation);
    private sealed record AccountFacts(bool IsAdmin, long ReadAt, long Generation);

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccountFacts> _accounts = new(StringComparer.Ordinal);

    /// <summary>The token's account and expiry, or null when it is unknown, revoked or expired (as <see cref="AccountCatalog.ValidateAsync"/>).</summary>
    public async ValueTask<TokenInfo?> ValidateAsync(string token)
    {
        var generation = accounts.Changes.Generation;
        if (_sessions.TryGetValue(token, out var s) && Fresh(s.ReadAt, s.Generation, generation))
            return s.Token.ExpiresAt > clock.GetUtcNow() ? s.Token : Forget(token);
        var readAt = Stopwatch.GetTimestamp();
        var info = await accounts.ValidateAsync(token);
        if (info is null) return Forget(token);
        Store(_sessions, token, new Session(info, readAt, generation));
        return info;
    }

    /// <summary>Whether the account has admin=true (as <see cref="AccountCatalog.IsAdminAsync"/>).</summary>
    public async ValueTask<bool> IsAdminAsync(string account)
    {
        var generation = accounts.Changes.Generation;
        if (_accounts.TryGetValue(account, out var a) && Fresh(a.ReadAt, a.Generation, generation)) return a.IsAdmin;
        var readAt = Stopwatch.GetTimestamp();
        var admin = await accounts.IsAdminAsync(account);
        Store(_accounts, account, new AccountFacts(admin, readAt, generation));
        return admin;
    }

    // The generation is read before the query, so a change racing with the read leaves the entry stale, never fresh.
    private static bool Fresh(long readAt, long readGeneration, long generation) =>
        readGeneration == generation && Stopwatch.GetTimestamp() - readAt < RecheckTicks;

    private TokenInfo? Forget(string token)
    {
        _sessions.TryRemove(token, out _);
        return null;
    }

    private static void Store<T>(ConcurrentDictionary<string, T> cache, string key, T value)
    {
        // Bounded: many distinct live sessions only cost their queries again, never unbounded memory.
        if (cache.Count >= MaxEntries) cache.Clear();
        cache[key] = value;
    }
}
