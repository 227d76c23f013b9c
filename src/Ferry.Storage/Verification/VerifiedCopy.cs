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
        var tempPfn = finalPfn + TempSuffix;
        Checksums result;
        try
        {
            await using (var output = await target.OpenWriteAsync(tempPfn, ct))
            {
                result = await CopyAsync(source, output, computeMd5 || expected?.Md5 is not null && expected.Adler32 is null, progress, ct);
            }
            Verify(finalPfn, result, expected);
            await target.MoveAsync(tempPfn, finalPfn, ct);
            return result;
        }
        catch
        {
            try { await target.DeleteAsync(tempPfn, CancellationToken.None); } catch (IOException) { }
            throw;
        }
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

    public static void Verify(string what, Checksums actual, ExpectedChecksums? expected)
    {
        if (expected is null) return;
        if (expected.Bytes is { } b && b != actual.Bytes)
            throw new FerryException("FileConsistencyMismatch", 412, $"Size mismatch for {what}: expected {b} bytes, got {actual.Bytes}");
        if (expected.Adler32 is { } a && !string.Equals(a, actual.Adler32, StringComparison.OrdinalIgnoreCase))
            throw new FerryException("FileConsistencyMismatch", 412, $"Checksum mismatch for {what}: expected adler32 {a}, got {actual.Adler32}");
        if (expected.Adler32 is null && expected.Md5 is { } m && actual.Md5 is { } am && !string.Equals(m, am, StringComparison.OrdinalIgnoreCase))
            throw new FerryException("FileConsistencyMismatch", 412, $"Checksum mismatch for {what}: expected md5 {m}, got {am}");
    }
}
