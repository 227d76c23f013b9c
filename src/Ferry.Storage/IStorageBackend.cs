namespace Ferry.Storage;

/// <summary>What storage says about one object; <paramref name="Modified"/> where the storage reports it (the consistency check's grace period needs it).</summary>
public sealed record StorageObject(long Bytes, DateTimeOffset? Modified = null);

/// <summary>
/// The small interface every storage protocol implements. Optional abilities (server-side checksums, writable
/// streams, atomic writes, free space) are separate capability interfaces, checked with <c>is</c>.
/// Paths are PFNs (scheme://host[:port]/prefix/path).
/// </summary>
public interface IStorageBackend
{
    string Scheme { get; }
    /// <summary>Size of the object, or null when it does not exist.</summary>
    Task<StorageObject?> StatAsync(string pfn, CancellationToken ct);
    /// <summary>Reads from <paramref name="offset"/> to the end.</summary>
    Task<Stream> OpenReadAsync(string pfn, long offset, CancellationToken ct);
    /// <summary>
    /// Creates or replaces the object with everything <paramref name="content"/> yields; parents are created as needed.
    /// Returns the checksum the storage reported for what it stored when its answer to the write carries one (the
    /// ETag of an S3 PUT), which saves asking again.
    /// </summary>
    Task<StorageChecksum?> WriteAsync(string pfn, Stream content, long? length, CancellationToken ct);
    /// <summary>Atomic where the storage allows it; replaces an existing target.</summary>
    Task MoveAsync(string fromPfn, string toPfn, CancellationToken ct);
    /// <summary>Deleting what is not there is not an error.</summary>
    Task DeleteAsync(string pfn, CancellationToken ct);
    /// <summary>Every object below a directory PFN, recursively, as PFNs.</summary>
    IAsyncEnumerable<string> ListAsync(string directoryPfn, CancellationToken ct);
    /// <summary>Creates the directory and its parents; storage without directories (S3) does nothing.</summary>
    Task MakeDirectoryAsync(string directoryPfn, CancellationToken ct);
}

/// <summary>A checksum as the storage reports it, with the size it reported in the same answer where it gave one.</summary>
public sealed record StorageChecksum(string Algorithm, string Value, long? Bytes = null);

/// <summary>
/// Storage that can report a checksum of stored bytes without sending them: adler32 (posix, XRootD, XrdHttp) or
/// md5 (the ETag of a single-part S3 object).
/// </summary>
public interface IServerSideChecksum
{
    /// <summary>The algorithm this storage reports, so a writer can compute the same one while sending.</summary>
    string Algorithm { get; }

    /// <summary>
    /// The algorithm this storage will report for an object of <paramref name="bytes"/> (null: unknown), or null when it
    /// will report none for that size (a multipart S3 object's ETag is no md5): a writer then need not compute it.
    /// </summary>
    string? AlgorithmFor(long? bytes) => Algorithm;

    Task<StorageChecksum?> ChecksumAsync(string pfn, CancellationToken ct);
}

/// <summary>Storage a caller can write to as a stream it pushes into (posix): lets the copy overlap reads and writes.</summary>
public interface IWritableStream
{
    Task<Stream> OpenWriteAsync(string pfn, CancellationToken ct);
}

/// <summary>
/// Storage where an object becomes visible only once completely written (S3 PUT and multipart complete), so a
/// verified copy can write the final name directly instead of a temporary one followed by a rename.
/// </summary>
public interface IAtomicWrite;

/// <summary>
/// Storage that reads an exact byte range as its own request (HTTP Range on WebDAV, S3 GET with a range), so one large
/// file can come over several streams at once.
/// </summary>
public interface IRangedRead
{
    /// <summary>Exactly <paramref name="length"/> bytes from <paramref name="offset"/>; a server that ignores the range is an error.</summary>
    Task<Stream> OpenRangeAsync(string pfn, long offset, long length, CancellationToken ct);
}

/// <summary>Storage that can say how much room is left (posix: the file system under the prefix).</summary>
public interface IFreeSpace
{
    Task<long?> FreeBytesAsync(CancellationToken ct);
}

/// <summary>
/// Storage whose writes land in a cache before they are safe (a local file system): a writer that is about to tell the
/// catalogue bytes are there makes them durable first, a batch at a time.
/// </summary>
public interface IDurableWrites
{
    /// <summary>Returns once the contents and names of <paramref name="pfns"/> would survive a power cut.</summary>
    Task MakeDurableAsync(IReadOnlyCollection<string> pfns, CancellationToken ct);
}
