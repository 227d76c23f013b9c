namespace Ferry.Client.Http;

/// <summary>
/// Ferry's own API lives under /ferry/; Rucio has nothing there. A server that answers a /ferry/ route with a 404 or 405
/// that carries no ExceptionClass (every answer of a Ferry endpoint carries one) does not have the route: it is a Rucio
/// server (or an older Ferry). The client then says so in one line instead of passing on "HTTP 404".
/// </summary>
public static class FerryExtensions
{
    /// <summary>The exception class of <see cref="Missing"/>; the CLI turns it into exit code 2.</summary>
    public const string MissingCapability = "MissingCapability";

    public static bool IsExtensionPath(string path) => path.TrimStart('/').StartsWith("ferry/", StringComparison.Ordinal);

    /// <summary>A route the server does not have, as opposed to an error of a route it has.</summary>
    public static bool IsMissingRoute(int status, bool hasExceptionClass) => !hasExceptionClass && status is 404 or 405 or 501;

    /// <summary>The capability a path belongs to: its first two segments, e.g. /ferry/data for /ferry/data/select.</summary>
    public static string Capability(string path)
    {
        var segments = path.TrimStart('/').Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        return "/" + string.Join('/', segments.Take(2));
    }

    public static FerryApiException Missing(string serverUrl, string path) =>
        new(MissingCapability, 404,
            $"the server at {serverUrl} has no {Capability(path)} API (it is not a Ferry server; Rucio has no such endpoints), and this command needs it");
}
