using System.Collections.Concurrent;
using Ferry.Core.Errors;
using Ferry.Storage.Posix;
using Ferry.Storage.S3;
using Ferry.Storage.Sftp;
using Ferry.Storage.WebDav;
using Ferry.Storage.XRootD;

namespace Ferry.Storage;

/// <summary>A protocol as an RSE declares it (the Rucio dialect's protocol object, minus what storage ignores).</summary>
public sealed record ProtocolSpec(string Scheme, string Hostname, int Port, string Prefix);

/// <summary>
/// Builds the backend for a declared protocol and the RSE's credentials. Backends hold connections (HTTP pools,
/// SSH sessions), so one instance per endpoint and credential set is kept for the life of the process.
/// </summary>
public static class StorageRegistry
{
    private static readonly ConcurrentDictionary<string, Lazy<IStorageBackend>> Cache = new(StringComparer.Ordinal);

    public static readonly IReadOnlyList<string> Schemes = ["file", "posix", "http", "https", "davs", "dav", "s3", "sftp", "scp", "root"];

    public static bool Supports(string scheme) => Schemes.Contains(scheme);

    public static IStorageBackend Create(ProtocolSpec protocol, IReadOnlyDictionary<string, string>? credentials = null)
    {
        if (protocol.Scheme is "file" or "posix") return new PosixBackend(protocol.Prefix);
        var key = $"{protocol.Scheme}|{protocol.Hostname}|{protocol.Port}|{protocol.Prefix}|" +
                  (credentials is null ? "" : string.Join('\u0001', credentials.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)));
        return Cache.GetOrAdd(key, _ => new Lazy<IStorageBackend>(() => Build(protocol, credentials ?? new Dictionary<string, string>()))).Value;
    }

    private static IStorageBackend Build(ProtocolSpec p, IReadOnlyDictionary<string, string> credentials) => p.Scheme switch
    {
        "http" or "https" or "davs" or "dav" => new WebDavBackend(p, credentials),
        "s3" => new S3Backend(p, credentials),
        "sftp" or "scp" => new SftpBackend(p, credentials),
        "root" => new XRootDBackend(p),
        _ => throw new FerryException("RSEProtocolNotSupported", 404, $"No storage backend for scheme '{p.Scheme}'"),
    };
}
