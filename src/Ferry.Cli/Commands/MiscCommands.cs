using Ferry.Core.Dialect;
using System.CommandLine;
using Ferry.Cli.Output;

namespace Ferry.Cli.Commands;

internal static class MiscCommands
{
    public static IEnumerable<Command> Build()
    {
        var ping = new Command("ping", "Check that the server answers and show its version");
        ping.SetAction(async (_, ct) =>
        {
            using var c = Common.Client();
            Console.Out.WriteLine(await c.PingAsync(ct));
            return 0;
        });
        yield return ping;

        var json = Common.JsonOption();
        var whoami = new Command("whoami", "Show the account the client is authenticated as").With(json);
        whoami.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.Object(await c.WhoamiAsync(ct), DialectJson.Default.RucioAccount, pr.GetValue(json));
            return 0;
        });
        yield return whoami;
    }
}
