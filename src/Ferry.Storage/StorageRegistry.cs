using Ferry.Core.Errors;
using Ferry.Storage.Posix;

namespace Ferry.Storage;

/// <summary>A protocol as an RSE declares it (the Rucio dialect's protocol object, minus what storage ignores).</summary>
public sealed record ProtocolSpec(string Scheme, string Hostname, int Port, string Prefix);

/// <summary>Builds a backend for a declared protocol. New schemes register here.</summary>
public static class StorageRegistry
{
    public static IStorageBackend Create(ProtocolSpec protocol) => protocol.Scheme switch
    {
        "file" or "posix" => new PosixBackend(protocol.Prefix),
        _ => throw new FerryException("RSEProtocolNotSupported", 404, $"No storage backend for scheme '{protocol.Scheme}' yet"),
    };

    public static bool Supports(string scheme) => scheme is "file" or "posix";
}
