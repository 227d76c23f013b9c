using Ferry.Catalog.Db;
using Ferry.Catalog.Transfers;
using Ferry.Core.Errors;
using Ferry.Engine.Consistency;
using Ferry.Engine.Daemons;
using Ferry.Engine.Site;
using Ferry.Engine.Storage;
using Ferry.Engine.Tasks;
using Ferry.Storage.Credentials;
using Ferry.Core.Configuration;
using Ferry.Engine.Application.Replicas;
using Ferry.Engine.Application.Rules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ferry.Engine.Hosting;

/// <summary>
/// The engine's part of every Ferry process, on top of <c>AddFerryCatalog</c>: storage access, the engine's options,
/// and the services the daemons and the site endpoints share (consistency, checksum audit, tasks). The daemons
/// themselves are added by name (<see cref="AddFerryDaemons"/>): all of them in `ferry server`, the chosen ones in
/// `ferry worker`, none in `ferry server --no-daemons`.
/// </summary>
public static class EngineServices
{
    /// <summary>The daemons by the names `ferry worker --daemons` takes.</summary>
    public static readonly IReadOnlyList<string> Daemons = ["judge", "conveyor", "reaper", "subscriber", "tasks"];

    /// <param name="env">The process's settings (a test host passes its own), for the task options.</param>
    public static IServiceCollection AddFerryEngine(this IServiceCollection s, string home, EngineOptions engine, FerryEnvironment env)
    {
        s.AddSingleton(engine);
        // The catalogue registered the queue with its defaults; a process's transfer attempts and lease are engine options.
        s.Replace(ServiceDescriptor.Singleton(sp => new TransferCatalog(sp.GetRequiredService<ICatalogDatabase>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Random>())
            { MaxAttempts = engine.TransferAttempts, Lease = engine.TransferLease }));
        s.AddSingleton(new RseCredentials(Path.Combine(home, RseCredentials.FileName)));
        s.AddSingleton<RseStorage>();
        s.AddSingleton<ConsistencyCheck>();
        s.AddSingleton<ChecksumAudit>();
        // The application layer: what endpoints, bulk paths and daemons call (the replica check needs the storage).
        s.AddSingleton<RuleRequests>();
        s.AddSingleton<ReplicaVerifier>().AddSingleton<ReplicaRequests>();
        var tasks = TaskOptions.ForHome(home, env);
        s.AddSingleton(tasks);
        s.AddSingleton<JobFiles>();
        s.AddSingleton<IJobExecutor>(new LocalExecutor(tasks));
        if (tasks.SlurmConf is not null) s.AddSingleton<IJobExecutor>(new SlurmExecutor(tasks));
        return s;
    }

    /// <summary>Adds the named daemons (names from <see cref="Daemons"/>, e.g. from <see cref="ParseDaemons"/>) as hosted services.</summary>
    public static IServiceCollection AddFerryDaemons(this IServiceCollection s, IEnumerable<string> names)
    {
        var chosen = names.ToHashSet(StringComparer.Ordinal);
        // The order both hosts registered them in before (hosts start them in order and stop them in reverse).
        if (chosen.Contains("tasks")) s.AddHostedService<TaskRunner>();
        if (chosen.Contains("subscriber")) s.AddHostedService<Subscriber>();
        if (chosen.Contains("judge")) s.AddHostedService<Judge>();
        if (chosen.Contains("conveyor")) s.AddHostedService<Conveyor>();
        if (chosen.Contains("reaper")) s.AddHostedService<Reaper>();
        return s;
    }

    /// <summary>`--daemons judge,conveyor`: the names, lower-cased and without repeats; an empty or unknown one is a usage error.</summary>
    public static IReadOnlyList<string> ParseDaemons(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).Distinct().ToList();
        if (names.Count == 0) throw FerryException.Invalid($"--daemons needs at least one of {string.Join(", ", Daemons)}");
        if (names.FirstOrDefault(n => !Daemons.Contains(n)) is { } unknown)
            throw FerryException.Invalid($"unknown daemon '{unknown}': known daemons are {string.Join(", ", Daemons)}");
        return names;
    }
}
