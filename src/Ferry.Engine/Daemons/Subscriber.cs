using Ferry.Catalog.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Ferry.Engine.Daemons;

/// <summary>Gives new DIDs the rules of the ACTIVE subscriptions they match (a lease per subscription keeps two workers apart).</summary>
public sealed class Subscriber(SubscriptionCatalog subscriptions, TimeProvider clock, ILogger<Subscriber> logger)
    : DaemonLoop(clock, logger, TimeSpan.FromSeconds(2))
{
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:subscriber";

    // Other subscribers may share the catalogue: only leases of dead processes on this machine are freed at once.
    protected override async Task StartupAsync(CancellationToken ct) =>
        await subscriptions.ReleaseLeasesAsync((await subscriptions.LeaseOwnersAsync()).Where(LeaseOwner.IsDeadOnThisMachine).ToList());

    protected override async Task<int> RoundAsync(CancellationToken ct)
    {
        var handled = await subscriptions.RunAsync(_owner, ct);
        if (handled > 0) Logger.LogInformation("Subscriptions placed rules on {Count} new DID(s)", handled);
        // Each round looks at everything new, so there is never a backlog worth a second round at once.
        return 0;
    }
}
