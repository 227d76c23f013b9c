using System.Net;
using Ferry.Core.Errors;

namespace Ferry.Agent.Hosting;

/// <summary>How an agent runs: where its files and state live, where it listens, and how hard it pulls.</summary>
public sealed record AgentOptions
{
    public const string DefaultListen = "127.0.0.1:8000";

    public required string Dir { get; init; }
    public string Listen { get; init; } = DefaultListen;
    public int MaxParallel { get; init; } = 4;
    /// <summary>Bytes per second over all downloads together; null is unlimited.</summary>
    public long? BandwidthLimit { get; init; }
    /// <summary>The longest wait between two attempts to reach an unreachable server.</summary>
    public TimeSpan RetryCap { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Free space to leave on DIR's file system; a dataset that would eat into it is refused.</summary>
    public long MinFreeBytes { get; init; }
    /// <summary>Required on every API call when set (from FERRY_AGENT_TOKEN or a file, never from argv).</summary>
    public string? Token { get; init; }
    /// <summary>How long a "does not exist" answer is believed: the dataset may be registered a moment later.</summary>
    public TimeSpan NegativeCacheTtl { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a positive listing is reused before it is asked for again (open datasets can grow).</summary>
    public TimeSpan ListingTtl { get; init; } = TimeSpan.FromHours(1);

    public string StateDir => Path.Combine(Dir, ".ferry-agent");

    public IPEndPoint Endpoint => ParseListen(Listen);

    /// <summary>Loopback addresses need no token; anything else does, or the agent refuses to start.</summary>
    public void Validate()
    {
        if (MaxParallel < 1) throw FerryException.Invalid("--max-parallel must be at least 1");
        if (BandwidthLimit is <= 0) throw FerryException.Invalid("--bandwidth-limit must be a positive number of bytes per second");
        if (RetryCap < TimeSpan.FromMilliseconds(100)) throw FerryException.Invalid("--retry-cap must be at least 100ms");
        if (!IPAddress.IsLoopback(Endpoint.Address) && string.IsNullOrEmpty(Token))
            throw FerryException.Invalid($"--listen {Listen} is not a loopback address: set FERRY_AGENT_TOKEN (or FERRY_AGENT_TOKEN_FILE) so that only holders of the token can use the agent");
    }

    public static IPEndPoint ParseListen(string listen)
    {
        var text = listen.StartsWith("localhost:", StringComparison.Ordinal) ? "127.0.0.1" + listen["localhost".Length..] : listen;
        if (!IPEndPoint.TryParse(text, out var ep) || !text.Contains(':', StringComparison.Ordinal))
            throw FerryException.Invalid($"--listen takes IP:PORT, e.g. {DefaultListen}; got '{listen}'");
        return ep;
    }
}
