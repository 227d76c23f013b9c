using Ferry.Client.Http;
using Ferry.Core.Configuration;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Client.Settings;
using Ferry.Storage;
using Ferry.Storage.Credentials;

namespace Ferry.Transfer;

/// <summary>An RSE's protocol chosen for one operation on the client side, and the backend that speaks it.</summary>
public sealed record ClientEndpoint(string Rse, IStorageBackend Backend, string Scheme, string Hostname, int Port, string Prefix)
{
    public string Pfn(string path) => Core.Paths.Lfn2Pfn.Pfn(Scheme, Hostname, Port, Prefix, path);
}

public static class RseAccess
{
    private static readonly Lazy<RseCredentials> FileCredentials = new(() => new RseCredentials(ClientSettings.RseCredentialsPath(FerryEnvironment.Process)));

    /// <summary>
    /// The supported protocol with the lowest non-zero priority for the operation (read/write/delete) over lan or wan.
    /// Storage secrets come from the client's rse-credentials.json; storage served by the Ferry server the client talks
    /// to needs none, as the client's own token is accepted there.
    /// </summary>
    public static ClientEndpoint Choose(RucioRseInfo rse, string operation, FerryClient? client = null)
    {
        var name = rse.Rse;
        var best = rse.Protocols
            .Where(p => Usable(p.Scheme, p.Prefix))
            .Select(p => (p, prio: ProtocolPriority.Of(p.Domains, operation)))
            .Where(x => x.prio is not null)
            .OrderBy(x => x.prio)
            .Select(x => x.p)
            .FirstOrDefault()
            ?? throw new FerryException("RSEProtocolNotSupported", 404, $"RSE {name} offers no protocol this client can {operation} with");
        var spec = new ProtocolSpec(best.Scheme, best.Hostname, best.Port, best.Prefix);
        var credentials = FileCredentials.Value.For(name);
        if (credentials is null && client?.CurrentToken is { } token && ServedBy(client, spec))
            credentials = new Dictionary<string, string> { ["token"] = token };
        return new ClientEndpoint(name, StorageRegistry.Create(spec, credentials), spec.Scheme, spec.Hostname, spec.Port, spec.Prefix);
    }

    private static readonly string[]? AllowedSchemes =
        FerryEnvironment.Process.Get("FERRY_SCHEMES") is { } list ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : null;

    /// <summary>
    /// A scheme this client speaks and is allowed to use (FERRY_SCHEMES restricts it, like Rucio's --scheme); a posix
    /// protocol only where its directory is on this machine, so a remote client never writes to its own disk.
    /// </summary>
    private static bool Usable(string scheme, string prefix) =>
        StorageRegistry.Supports(scheme) && (AllowedSchemes is null || AllowedSchemes.Contains(scheme))
        && (scheme is not ("file" or "posix") || Directory.Exists(prefix));

    private static bool ServedBy(FerryClient client, ProtocolSpec spec)
    {
        var server = new Uri(client.Settings.Url);
        return spec.Scheme is "http" or "https" or "dav" or "davs" && server.Port == spec.Port
               && string.Equals(server.Host, spec.Hostname, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The protocol schemes this SDK's storage access speaks (what `ferry rse add-protocol` accepts).</summary>
    public static IReadOnlyList<string> Schemes => StorageRegistry.Schemes;

    public static bool Speaks(string scheme) => StorageRegistry.Supports(scheme);
}
