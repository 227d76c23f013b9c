using System.Text.Json;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Paths;
using Ferry.Storage;
using Ferry.Storage.Credentials;

namespace Ferry.Engine.Storage;

public enum StorageOperation { Read, Write, Delete }

/// <summary>An RSE's storage opened for one operation: the backend and how to turn a replica path into a PFN.</summary>
public sealed record RseEndpoint(IStorageBackend Backend, RseProtocol Protocol)
{
    public string Pfn(string path) => Lfn2Pfn.Pfn(Protocol.Scheme, Protocol.Hostname, Protocol.Port, Protocol.Prefix, path);
}

/// <summary>Chooses, for an RSE and an operation, the supported protocol with the best (lowest) declared priority.</summary>
public sealed class RseStorage(RseCatalog rses, RseCredentials credentials)
{
    public async Task<RseEndpoint> OpenAsync(string rseId, StorageOperation op)
    {
        var rse = await rses.FindByIdAsync(rseId) ?? throw FerryException.RseNotFound(rseId);
        var protocols = await rses.ProtocolsAsync(rseId);
        var best = protocols
            .Where(p => StorageRegistry.Supports(p.Scheme))
            .Select(p => (p, priority: Priority(p, op)))
            .Where(x => x.priority is not null)
            // Storage this process can reach as a local directory beats any network protocol, including Ferry's own HTTP view of it.
            .OrderBy(x => x.p.Scheme is "file" or "posix" && Directory.Exists(x.p.Prefix) ? 0 : 1)
            .ThenBy(x => x.priority)
            .Select(x => x.p)
            .FirstOrDefault()
            ?? throw new FerryException("RSEProtocolNotSupported", 404, $"RSE {rse.Name} has no protocol Ferry can use to {op.ToString().ToLowerInvariant()}");
        return new RseEndpoint(StorageRegistry.Create(new ProtocolSpec(best.Scheme, best.Hostname, best.Port, best.Prefix), credentials.For(rse.Name)), best);
    }

    /// <summary>The protocol's priority for the operation, or null when it does not support it.</summary>
    public static int? Priority(RseProtocol p, StorageOperation op)
    {
        if (p.Domains is null) return 1;
        using var doc = JsonDocument.Parse(p.Domains);
        return ProtocolPriority.Of(doc.RootElement, op.ToString().ToLowerInvariant());
    }
}
