using System.CommandLine;
using Ferry.Agent.Hosting;
using Ferry.Cli.Output;
using Ferry.Client.Settings;
using Ferry.Core.Configuration;

namespace Ferry.Cli.Commands;

internal static class AgentCommand
{
    public static Command Build()
    {
        var dir = new Option<string>("--dir") { Required = true, Description = "Where datasets land (DIR/SCOPE/DATASET/FILE) and the agent keeps its state (DIR/.ferry-agent)" };
        var listen = new Option<string>("--listen") { DefaultValueFactory = _ => AgentOptions.DefaultListen, Description = "IP:PORT for the API and web page; anything but loopback needs FERRY_AGENT_TOKEN" };
        var parallel = new Option<int>("--max-parallel") { DefaultValueFactory = _ => 4, Description = "Files downloaded at once, over all datasets" };
        var bandwidth = new Option<string?>("--bandwidth-limit") { Description = "Bytes per second over all downloads, e.g. 50MB (default: unlimited)" };
        var retryCap = new Option<string>("--retry-cap") { DefaultValueFactory = _ => "5m", Description = "Longest wait between attempts to reach an unreachable server" };
        var minFree = new Option<string?>("--min-free") { Description = "Free space to leave on DIR's disk, e.g. 10GB; a dataset that does not fit is refused" };
        var negativeTtl = new Option<string>("--negative-cache-ttl") { DefaultValueFactory = _ => "30s", Description = "How long a 'does not exist' answer is reused before the server is asked again" };
        var cmd = new Command("agent", "Run the desktop agent: a local service that downloads datasets on request and survives restarts " +
            "(API and web page on --listen; token from FERRY_AGENT_TOKEN or the file named by FERRY_AGENT_TOKEN_FILE)")
            .With(dir, listen, parallel, bandwidth, retryCap, minFree, negativeTtl);
        cmd.SetAction(async (pr, ct) =>
        {
            var options = new AgentOptions
            {
                Dir = pr.GetValue(dir)!, Listen = pr.GetValue(listen)!, MaxParallel = pr.GetValue(parallel),
                BandwidthLimit = pr.GetValue(bandwidth) is { } b ? Size(b, "--bandwidth-limit") : null,
                RetryCap = Duration(pr.GetValue(retryCap)!), MinFreeBytes = pr.GetValue(minFree) is { } m ? Size(m, "--min-free") : 0,
                NegativeCacheTtl = Duration(pr.GetValue(negativeTtl)!), Token = Token(),
            };
            await AgentHost.RunAsync(options, ClientSettings.FromEnvironment(), CompositionRoot.Random, ct);
            return 0;
        });
        return cmd;
    }

    /// <summary>The token never comes from argv (other users can read it in the process list).</summary>
    private static string? Token()
    {
        if (FerryEnvironment.Process.Get("FERRY_AGENT_TOKEN") is { } t) return t;
        if (FerryEnvironment.Process.Get("FERRY_AGENT_TOKEN_FILE") is not { } file) return null;
        try { return File.ReadAllText(file).Trim(); }
        catch (IOException e) { throw new UsageException($"FERRY_AGENT_TOKEN_FILE: {e.Message}"); }
    }

    private static TimeSpan Duration(string text)
    {
        if (text.EndsWith("ms", StringComparison.Ordinal) && long.TryParse(text[..^2], out var ms)) return TimeSpan.FromMilliseconds(ms);
        return TimeSpan.FromSeconds(Common.Duration(text)!.Value);
    }

    /// <summary>Bytes as `ferry account limit` reads them (500MB, 2GiB), per second for the bandwidth; "/s" may be written.</summary>
    private static long Size(string text, string option)
    {
        var bytes = Sizes.Parse(text.Replace("/s", "", StringComparison.OrdinalIgnoreCase));
        return bytes >= 0 ? bytes : throw new UsageException($"{option} takes a number of bytes, e.g. 500MB; got '{text}'");
    }
}
