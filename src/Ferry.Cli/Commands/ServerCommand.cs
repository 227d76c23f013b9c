using System.CommandLine;
using Ferry.Client.Settings;
using Ferry.Core.Configuration;
using Ferry.Server.Hosting;

namespace Ferry.Cli.Commands;

internal static class ServerCommand
{
    public static Command Build()
    {
        var listen = new Option<string>("--listen") { Description = "IP:PORT to listen on", DefaultValueFactory = _ => $"127.0.0.1:{FerryServerHost.DefaultPort}" };
        var tlsListen = new Option<string?>("--tls-listen") { Description = "IP:PORT of an HTTPS listener (certificate and key in FERRY_TLS_CERT, FERRY_TLS_KEY; client CAs in FERRY_TLS_CA)" };
        var noDaemons = new Option<bool>("--no-daemons") { Description = "Serve the API only; run the daemons with 'ferry worker'" };
        var cmd = new Command("server", "Run the Ferry server with its daemons on the embedded catalogue (data in FERRY_HOME, default ~/.ferry) or FERRY_DATABASE").With(listen, tlsListen, noDaemons);
        cmd.SetAction(async (pr, ct) =>
        {
            var env = FerryEnvironment.Process;
            var home = ClientSettings.FerryHome(env);
            FerryServerHost.ParseListen(pr.GetValue(listen)!);
            var security = Ferry.Server.Security.SecurityOptions.FromEnvironment(pr.GetValue(tlsListen), env.Get);
            if (security.TlsListen is { } tls) FerryServerHost.ParseListen(tls);
            var options = new ServerOptions(home, pr.GetValue(listen)!)
            {
                Environment = env, Engine = Ferry.Engine.EngineOptions.FromEnvironment(env), Security = security, Random = CompositionRoot.Random,
            };
            if (pr.GetValue(noDaemons)) options = options with { Engine = options.Engine with { RunDaemons = false } };
            await FerryServerHost.RunAsync(options, ct);
            return 0;
        });
        return cmd;
    }
}
