using Ferry.Catalog.Tasks;
using Ferry.Engine.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Hosting;

/// <summary>The task system's services: its catalogue, the executors configured here and, with the daemons, the runner.</summary>
public static class TaskServices
{
    public static IServiceCollection AddFerryTasks(this IServiceCollection services, string home, bool runDaemons)
    {
        var options = TaskOptions.ForHome(home);
        services.AddSingleton(options);
        services.AddSingleton<TaskCatalog>();
        services.AddSingleton<TaskQueue>();
        services.AddSingleton<JobFiles>();
        services.AddSingleton<IJobExecutor>(new LocalExecutor(options));
        if (options.SlurmConf is not null) services.AddSingleton<IJobExecutor>(new SlurmExecutor(options));
        if (runDaemons) services.AddHostedService<TaskRunner>();
        return services;
    }
}
