using Ferry.Catalog.Accounts;
using Ferry.Catalog.Db;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Catalog.Rules;
using Ferry.Catalog.Transfers;
using Ferry.Core.Configuration;
using Ferry.Core.Errors;
using Ferry.Engine;
using Ferry.Engine.Daemons;
using Ferry.Engine.Storage;
using Ferry.Server.Endpoints;
using Ferry.Storage.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Hosting;

/// <summary>
/// `ferry worker`: some of the engine's daemons in a process of their own, without HTTP, on a shared catalogue
/// (PostgreSQL, or the SQLite file of a server on this machine). Workers and servers coordinate only through the
/// catalogue: every item is claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), renewed while it is worked
/// on, and taken over by another worker when the lease runs out.
/// </summary>
public static class WorkerHost
{
    public static readonly IReadOnlyList<string> Daemons = ["judge", "conveyor", "reaper", "subscriber", "tasks"];

    public static IReadOnlyList<string> ParseDaemons(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).Distinct().ToList();
        if (names.Count == 0) throw FerryException.Invalid($"--daemons needs at least one of {string.Join(", ", Daemons)}");
        if (names.FirstOrDefault(n => !Daemons.Contains(n)) is { } unknown)
            throw FerryException.Invalid($"unknown daemon '{unknown}': known daemons are {string.Join(", ", Daemons)}");
        return names;
    }

    public static async Task RunAsync(string home, IReadOnlyList<string> daemons, EngineOptions engine, FerryEnvironment env, Random random, CancellationToken ct)
    {
        Directory.CreateDirectory(home);
        home = Path.GetFullPath(home);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        var catalog = CatalogStore.Open(home, env.Get, random);
        var s = builder.Services;
        s.AddFerryCatalogue(home, catalog, engine, TimeProvider.System, random);
        s.AddFerryTasks(home, daemons.Contains("tasks"));
        s.AddSitePolicies(daemons.Contains("subscriber"));
        if (daemons.Contains("judge")) s.AddHostedService<Judge>();
        if (daemons.Contains("conveyor")) s.AddHostedService<Conveyor>();
        if (daemons.Contains("reaper")) s.AddHostedService<Reaper>();
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ferry.Worker");
        logger.LogInformation("Ferry worker {Pid} running {Daemons} on catalogue {Catalog}", Environment.ProcessId, string.Join(",", daemons), CatalogStore.Describe(catalog));
        await host.RunAsync(ct);
    }
}
