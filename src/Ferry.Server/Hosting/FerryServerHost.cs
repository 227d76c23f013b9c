namespace Ferry.Server.Hosting;

/// <summary>How to start a server: the data directory and the address to listen on (127.0.0.1 by default).</summary>
public sealed record ServerOptions(string Home, string Listen);

public static class FerryServerHost
{
    public const int DefaultPort = 7878;

    /// <summary>Runs the server with its daemons until <paramref name="ct"/> is cancelled.</summary>
    public static Task RunAsync(ServerOptions options, CancellationToken ct) => throw new NotImplementedException("server host lands with the server work");
}
