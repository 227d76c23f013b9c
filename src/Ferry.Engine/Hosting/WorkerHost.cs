using Ferry.Catalog.Db;
using Ferry.Catalog.Hosting;
using Ferry.Core.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ferry.Engine.Hosting;

/// <summary>
/// `ferry worker`: some of the engine's daemons in a process of their own, without HTTP, on a shared catalogue
/// (PostgreSQL, or the SQLite file of a server on this machine). Workers and servers coordinate only through the
/// catalogue: every item is claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), renewed while it is worked
/// on, and taken over by another worker when the lease runs out. It composes the same catalogue and engine parts as
/// `ferry server`, without the HTTP ones.
/// </summary>
public static class WorkerHost
{
    public static async Task RunAsync(string home, IReadOnlyList<string> daemons, EngineOptions engine, FerryEnvironment env, Random random, CancellationToken ct)
    {
        Directory.CreateDirectory(home);
        home = Path.GetFullPath(home);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        var catalog = CatalogStore.Open(home, env.Get, random);
        builder.Services.AddFerryCatalog(catalog, TimeProvider.System, random).AddFerryEngine(home, engine, env).AddFerryDaemons(daemons);
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ferry.Worker");
        logger.LogInformation("Ferry worker {Pid} running {Daemons} on catalogue {Catalog}", Environment.ProcessId, string.Join(",", daemons), CatalogStore.Describe(catalog));
        await host.RunAsync(ct);
    }
}
