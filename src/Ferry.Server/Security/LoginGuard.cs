using Ferry.Catalog.Accounts;
using Ferry.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Security;

/// <summary>
/// Lockout: an identity with <see cref="SecurityOptions.LockoutFailures"/> failed logins within
/// <see cref="SecurityOptions.LockoutWindow"/> is refused, right password or not, until the oldest of those failures
/// leaves the window. Failures are kept in the catalogue (so a restart does not reset them) and timed with the
/// server's TimeProvider. The message says until when, never whether the password was right.
/// </summary>
public sealed class LoginGuard(SecurityOptions options, IdentityCatalog identities, TimeProvider clock, ILogger<LoginGuard> logger)
{
    public async Task EnsureNotLockedAsync(string identity, string authType)
    {
        var now = clock.GetUtcNow();
        var failures = await identities.FailuresSinceAsync(identity, authType, now - options.LockoutWindow);
        if (failures.Count < options.LockoutFailures) return;
        var until = failures[failures.Count - options.LockoutFailures] + options.LockoutWindow;
        throw new FerryException("CannotAuthenticate", 401,
            $"Cannot authenticate: identity {identity} is locked after {options.LockoutFailures} failed logins within {Describe(options.LockoutWindow)}; try again after {until:yyyy-MM-dd HH:mm:ss} UTC");
    }

    public async Task FailedAsync(string identity, string authType, string? remote)
    {
        await identities.RecordFailureAsync(identity, authType, options.LockoutWindow);
        // The identity and the address only: the password tried is never logged.
        logger.LogWarning("Failed {AuthType} login for {Identity} from {Remote}", authType, identity, remote);
    }

    public Task SucceededAsync(string identity, string authType) => identities.ClearFailuresAsync(identity, authType);

    private static string Describe(TimeSpan t) =>
        t.TotalHours >= 1 && t.TotalHours == Math.Floor(t.TotalHours) ? $"{t.TotalHours:0} h" : t.TotalMinutes >= 1 && t.TotalMinutes == Math.Floor(t.TotalMinutes) ? $"{t.TotalMinutes:0} min" : $"{t.TotalSeconds:0.###} s";
}
