using System.Buffers;
using Ferry.Core.Errors;

namespace Ferry.Storage.Verification;

/// <summary>What the bytes must be; null fields are not checked.</summary>
public sealed record ExpectedChecksums(long? Bytes, string? Adler32, string? Md5);

/// <summary>
/// The one way bytes land on storage: stream into a temporary name beside the target while checksumming in the
/// same pass, compare with what the catalogue expects, and only then rename to the final name.
/// A reader therefore never sees a partial or unverified file under its final name.
/// </summary>
public static class VerifiedCopy
{
    public const string TempSuffix = ".ferry.part";
    private const int BufferSize = 1 << 20;

    public static async Task<Checksums> WriteAsync(
        Stream source, IStorageBackend target, string finalPfn, ExpectedChecksums? expected, bool computeMd5,
        IProgress<long>? progress, CancellationToken ct)
    {
        var atomic = target is IAtomicWrite;
        var writePfn = atomic ? finalPfn : finalPfn + TempSuffix;
        var serverAlgorithm = (target as IServerSideChecksum)?.AlgorithmFor(expected?.Bytes);
        var md5 = computeMd5 || expected?.Md5 is not null && expected.Adler32 is null || serverAlgorithm == "md5";
        try
        {
            Checksums result;
            StorageChecksum? receipt = null;
            if (target is IWritableStream writable)
            {
                await using var output = await writable.OpenWriteAsync(writePfn, ct);
                result = await CopyAsync(source, output, md5, progress, ct);
            }
            else
            {
                await using var counted = new ChecksumReadStream(source, md5, progress);
                receipt = await target.WriteAsync(writePfn, counted, expected?.Bytes, ct);
                result = counted.Result();
            }
            Verify(finalPfn, result, expected);
            // A stream we wrote to a local file needs no second look; remote storage is asked what it stored,
            // unless its answer to the write already said (an S3 PUT's ETag is the md5 of what it stored).
            if (target is not IWritableStream) await VerifyStoredAsync(target, writePfn, result, ct, receipt);
            if (!atomic) await target.MoveAsync(writePfn, finalPfn, ct);
            return result;
        }
        catch
        {
            // Best effort, and bounded: the storage that just failed may be the one hanging.
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await target.DeleteAsync(writePfn, cleanup.Token); } catch (Exception e) when (e is IOException or OperationCanceledException) { }
            throw;
        }
    }

    /// <summary>Size always; the storage's own checksum where it can give one without sending the bytes back.</summary>
    public static async Task VerifyStoredAsync(IStorageBackend target, string pfn, Checksums sent, CancellationToken ct, StorageChecksum? receipt = null)
    {
        var (bytes, stored) = receipt is { Bytes: { } receiptBytes } ? (receiptBytes, receipt) : await InspectAsync(target, pfn, withChecksum: true, ct);
        if (bytes is null) throw new StorageException($"{pfn} is missing right after it was written", permanent: false);
        if (bytes != sent.Bytes)
            throw new StorageException($"{pfn} holds {bytes} bytes after writing {sent.Bytes}", permanent: false);
        var expected = stored?.Algorithm switch { "adler32" => sent.Adler32, "md5" => sent.Md5, _ => null };
        if (stored is not null && expected is not null && !string.Equals(stored.Value, expected, StringComparison.OrdinalIgnoreCase))
            throw new StorageException($"{pfn}: storage reports {stored.Algorithm} {stored.Value}, the bytes sent had {expected}", permanent: false);
    }

    /// <summary>
    /// Size (null: no such object) and, when asked and the storage has one, its own checksum: one round trip where the
    /// storage answers both together (an S3 or WebDAV HEAD), a stat after the checksum otherwise.
    /// </summary>
    public static async Task<(long? Bytes, StorageChecksum? Checksum)> InspectAsync(IStorageBackend target, string pfn, bool withChecksum, CancellationToken ct)
    {
        var checksum = withChecksum && target is IServerSideChecksum checksummer ? await checksummer.ChecksumAsync(pfn, ct) : null;
        return (checksum?.Bytes ?? (await target.StatAsync(pfn, ct))?.Bytes, checksum);
    }

    public static async Task<Checksums> CopyAsync(Stream source, Stream output, bool computeMd5, IProgress<long>? progress, CancellationToken ct)
    {
        using var acc = new ChecksumAccumulator(computeMd5);
        await CopyAsync(source, output, acc, progress, null, ct);
        return acc.Result();
    }

    /// <summary>
    /// Copies into <paramref name="output"/> while adding to <paramref name="acc"/>, which may already hold the bytes
    /// before them (a resumed download). <paramref name="pace"/>, when given, is awaited before each block is written.
    /// </summary>
    public static async Task CopyAsync(Stream source, Stream output, ChecksumAccumulator acc, IProgress<long>? progress,
        Func<int, CancellationToken, ValueTask>? pace, CancellationToken ct)
    {
        if (pace is null && source is FileStream { CanSeek: true } file && (output is FileStream || ReferenceEquals(output, Stream.Null))
            && file.Length - file.Position <= BufferSize)
        {
            CopySmallLocal(file, output, acc, progress, ct);
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            // Overlap the read of the next block with the write of the current one.
            var next = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                var n = await source.ReadAsync(buffer.AsMemory(0, BufferSize), ct);
                while (n > 0)
                {
                    if (pace is not null) await pace(n, ct);
                    acc.Append(buffer.AsSpan(0, n));
                    var write = output.WriteAsync(buffer.AsMemory(0, n), ct);
                    var read = source.ReadAsync(next.AsMemory(0, BufferSize), ct);
                    await write;
                    progress?.Report(n);
                    n = await read;
                    (buffer, next) = (next, buffer);
                }
            }
            finally { ArrayPool<byte>.Shared.Return(next); }
            await output.FlushAsync(ct);
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>
    /// A local file of at most one buffer into a local file (or nowhere): plain reads and writes on the calling thread.
    /// The async calls of a FileStream on Unix each hop through the thread pool, which for a 100 kB file cost more than
    /// the copy itself (bulk uploads of small files). Reads go on to the end, should the file have grown meanwhile.
    /// </summary>
    private static void CopySmallLocal(FileStream source, Stream output, ChecksumAccumulator acc, IProgress<long>? progress, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(source.Length - source.Position + 1, 1, BufferSize));
        try
        {
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                acc.Append(buffer.AsSpan(0, n));
                output.Write(buffer, 0, n);
                progress?.Report(n);
            }
            output.Flush();
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    public static void Verify(string what, Checksums actual, ExpectedChecksums? expected)
    {
        if (expected is null) return;
        if (expected.Bytes is { } b && b != actual.Bytes)
            throw new FerryException("FileConsistencyMismatch", 412, $"Size mismatch for {what}: expected {b} bytes, got {actual.Bytes}");
        if (expected.Adler32 is { } a && !string.Equals(a, actual.Adler32, StringComparison.OrdinalIgnoreCase))
            throw new FerryException("FileConsistencyMismatch", 412, $"Checksum mismatch for {what}: the bytes read have adler32 {actual.Adler32}, the catalogue says {a}");
        if (expected.Adler32 is null && expected.Md5 is { } m && actual.Md5 is { } am && !string.Equals(m, am, StringComparison.OrdinalIgnoreCase))
            throw new FerryException("FileConsistencyMismatch", 412, $"Checksum mismatch for {what}: expected md5 {m}, got {am}");
    }
}
