using Ferry.Catalog.Accounts;
using Ferry.Catalog.Db;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Catalog.Rules;
using Ferry.Catalog.Transfers;
using Ferry.Engine;
using Ferry.Engine.Application.Replicas;
using Ferry.Engine.Application.Rules;
using Ferry.Engine.Storage;
using Ferry.Engine.Consistency;
using Ferry.Storage.Credentials;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Hosting;

/// <summary>
/// The one registration of the catalogue, storage and clock that every Ferry process shares: `ferry server` and
/// `ferry worker` both call it and add only their daemons and (the server) HTTP on top. Written twice before, the
/// worker had drifted (no selection catalogue, no sync services).
/// </summary>
public static class CatalogueServices
{
    public static IServiceCollection AddFerryCatalogue(this IServiceCollection s, string home, ICatalogDatabase catalog, EngineOptions engine)
    {
        s.AddSingleton(TimeProvider.System);
        s.AddSingleton(catalog);
        s.AddSingleton<AccountCatalog>();
        s.AddSingleton<QuotaCatalog>();
        s.AddSingleton<RseCatalog>();
        s.AddSingleton<RequestListing>();
        s.AddSingleton<DidCatalog>();
        s.AddSingleton<ReplicaCatalog>();
        s.AddSingleton<DatasetPlacements>();
        s.AddSingleton<RuleCatalog>();
        s.AddSingleton<Ferry.Catalog.Selection.SelectionCatalog>();
        s.AddSingleton(sp => new TransferCatalog(sp.GetRequiredService<ICatalogDatabase>(), sp.GetRequiredService<TimeProvider>())
            { MaxAttempts = engine.TransferAttempts, Lease = engine.TransferLease });
        s.AddSingleton<DeletionQueue>();
        s.AddSingleton<Ferry.Catalog.Messages.MessageCatalog>();
        s.AddSingleton<Ferry.Catalog.Config.ConfigCatalog>();
        s.AddSingleton(new RseCredentials(Path.Combine(home, RseCredentials.FileName)));
        s.AddSingleton<RseStorage>();
        s.AddSingleton(engine);
        s.AddSingleton<RseReplicaListing>().AddSingleton<ConsistencyCheck>();
        // The application layer (Ferry.Engine.Application): the rule and replica operations every caller goes through.
        s.AddSingleton<RuleRequests>();
        s.AddSingleton<ReplicaVerifier>().AddSingleton<ReplicaRequests>();
        return s;
    }
}
