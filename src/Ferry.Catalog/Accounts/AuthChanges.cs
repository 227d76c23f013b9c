namespace Ferry.Catalog.Accounts;

/// <summary>
/// A counter this process bumps after every change that can end a session or change what an account may do (a token
/// deleted or revoked, an account suspended or deleted, an attribute set or removed, an identity removed). Caches of
/// validated tokens and account facts compare it on every request, so a change made through this process applies to
/// its next request; changes made by other processes are caught by the caches' own periodic recheck.
/// </summary>
public sealed class AuthChanges
{
    private long _generation;

    public long Generation => Volatile.Read(ref _generation);

    public void Bump() => Interlocked.Increment(ref _generation);
}
