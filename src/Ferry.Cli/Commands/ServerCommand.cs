using System.CommandLine;
using Ferry.Client.Settings;
using Ferry.Server.Hosting;

namespace Ferry.Cli.Commands;

internal static class ServerCommand
{
    public static Command Build()
    {
        var listen = new Option<string>("--listen") { Description = "IP:PORT to listen on", DefaultValueFactory = _ => $"127.0.0.1:{FerryServerHost.DefaultPort}" };
        var cmd = new Command("server", "Run the Ferry server with its daemons on the embedded catalogue (data in FERRY_HOME, default ~/.ferry)").With(listen);
        cmd.SetAction(async (pr, ct) =>
        {
            var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value);
            var home = ClientSettings.FerryHome(env);
            FerryServerHost.ParseListen(pr.GetValue(listen)!);
            await FerryServerHost.RunAsync(new ServerOptions(home, pr.GetValue(listen)!), ct);
            return 0;
        });
        return cmd;
    }
}
