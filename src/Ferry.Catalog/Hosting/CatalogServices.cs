using Ferry.Catalog.Accounts;
using Ferry.Catalog.Audit;
using Ferry.Catalog.Config;
using Ferry.Catalog.Db;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Messages;
using Ferry.Catalog.Metrics;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Retention;
using Ferry.Catalog.Rses;
using Ferry.Catalog.Rules;
using Ferry.Catalog.Selection;
using Ferry.Catalog.Subscriptions;
using Ferry.Catalog.Tasks;
using Ferry.Catalog.Transfers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ferry.Catalog.Hosting;

/// <summary>
/// The catalogue's part of every Ferry process (`ferry server` and `ferry worker` alike): the store, the clock and
/// every catalogue class. The engine (<c>AddFerryEngine</c>) and the HTTP server (<c>AddFerryServer</c>) add theirs on
/// top; registering a class in one place is what keeps the two hosts from drifting apart again.
/// </summary>
public static class CatalogServices
{
    /// <param name="clock">The process's clock: <c>TimeProvider.System</c>, or a test's fake one.</param>
    /// <param name="random">The process's one source of chance (placement, jitter, sampling), from the composition root.</param>
    public static IServiceCollection AddFerryCatalog(this IServiceCollection s, ICatalogDatabase catalog, TimeProvider clock, Random random)
    {
        s.AddSingleton(clock);
        s.AddSingleton(random);
        s.AddSingleton(catalog);
        s.AddSingleton<AccountCatalog>();
        s.AddSingleton<IdentityCatalog>();
        s.AddSingleton<AuditCatalog>();
        s.AddSingleton<QuotaCatalog>();
        s.AddSingleton<RseCatalog>();
        s.AddSingleton<DidCatalog>();
        s.AddSingleton<DidFileSet>();
        s.AddSingleton<ReplicaCatalog>();
        s.AddSingleton<DatasetPlacements>();
        s.AddSingleton<RseReplicaListing>();
        s.AddSingleton<AccessCatalog>();
        s.AddSingleton<ChecksumAuditQueue>();
        s.AddSingleton<DeletionQueue>();
        s.AddSingleton<RuleCatalog>();
        s.AddSingleton<SelectionCatalog>();
        s.AddSingleton<RequestListing>();
        // Attempts and lease are the engine's to set (AddFerryEngine replaces this registration with its options).
        s.AddSingleton<TransferCatalog>();
        s.AddSingleton<StagingCatalog>();
        s.AddSingleton<StalledTransfers>();
        s.AddSingleton<RetentionCatalog>();
        s.AddSingleton<SubscriptionCatalog>();
        s.AddSingleton<TaskCatalog>();
        s.AddSingleton<TaskQueue>();
        s.AddSingleton<MessageCatalog>();
        s.AddSingleton<ConfigCatalog>();
        s.AddSingleton<CatalogProbe>();
        return s;
    }
}
