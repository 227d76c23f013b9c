using System.CommandLine;
using Ferry.Client.Settings;
using Ferry.Core.Configuration;
using Ferry.Engine;
using Ferry.Engine.Hosting;

namespace Ferry.Cli.Commands;

internal static class WorkerCommand
{
    public static Command Build()
    {
        var daemons = new Option<string>("--daemons")
        {
            Description = $"Comma-separated daemons to run: {string.Join(",", EngineServices.Daemons)}",
            DefaultValueFactory = _ => "judge,conveyor,reaper",
        };
        var cmd = new Command("worker", "Run engine daemons without the HTTP API, on the catalogue in FERRY_DATABASE (see 'ferry server --no-daemons')").With(daemons);
        cmd.SetAction(async (pr, ct) =>
        {
            var list = EngineServices.ParseDaemons(pr.GetValue(daemons)!);
            var env = FerryEnvironment.Process;
            await WorkerHost.RunAsync(ClientSettings.FerryHome(env), list, EngineOptions.FromEnvironment(env), env, CompositionRoot.Random, ct);
            return 0;
        });
        return cmd;
    }
}
