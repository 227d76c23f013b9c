namespace Ferry.Storage;

/// <summary>What storage says about one object.</summary>
public sealed record StorageObject(long Bytes, string? Adler32 = null);

/// <summary>
/// The small interface every storage protocol implements. Optional abilities (server-side checksums,
/// third-party copy, quota) are separate capability interfaces, checked with <c>is</c>.
/// Paths are PFNs (scheme://host[:port]/prefix/path).
/// </summary>
public interface IStorageBackend
{
    string Scheme { get; }
    Task<StorageObject?> StatAsync(string pfn, CancellationToken ct);
    /// <summary>Reads from <paramref name="offset"/> to the end.</summary>
    Task<Stream> OpenReadAsync(string pfn, long offset, CancellationToken ct);
    /// <summary>Creates or truncates; parent directories are created as needed.</summary>
    Task<Stream> OpenWriteAsync(string pfn, CancellationToken ct);
    /// <summary>Atomic where the storage allows it; replaces an existing target.</summary>
    Task MoveAsync(string fromPfn, string toPfn, CancellationToken ct);
    /// <summary>Deleting what is not there is not an error.</summary>
    Task DeleteAsync(string pfn, CancellationToken ct);
}

/// <summary>Storage that can compute an adler32 itself (posix reads locally; XRootD has a query).</summary>
public interface IServerSideChecksum
{
    Task<string?> Adler32Async(string pfn, CancellationToken ct);
}

/// <summary>Storage that can say how much room is left (posix: the file system under the prefix).</summary>
public interface IFreeSpace
{
    Task<long?> FreeBytesAsync(CancellationToken ct);
}
