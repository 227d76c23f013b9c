using System.Buffers;
using System.Globalization;
using Ferry.Core.Checksums;
using Ferry.Core.Configuration;
using Ferry.Core.Errors;
using Ferry.Storage;
using Ferry.Storage.Verification;
using Microsoft.Win32.SafeHandles;

namespace Ferry.Transfer;

public sealed partial class ResumableDownload
{
    private const int RangeBlock = 1 << 20;

    /// <summary>Streams per large file (FERRY_RANGED_STREAMS, default 4; 1 turns ranged reads off).</summary>
    public static int RangedStreams
    {
        get => _rangedStreams ??= FerryEnvironment.Process.Int("FERRY_RANGED_STREAMS", 4);
        set => _rangedStreams = value;
    }

    /// <summary>Files from this size on are read in ranges (FERRY_RANGED_MIN_BYTES, default 64 MiB).</summary>
    public static long RangedMinBytes
    {
        get => _rangedMinBytes ??= FerryEnvironment.Process.Long("FERRY_RANGED_MIN_BYTES", 64 << 20);
        set => _rangedMinBytes = value;
    }

    // Read on first use rather than in a static initializer, so that a malformed value is a one-line error and not a
    // TypeInitializationException.
    private static int? _rangedStreams;
    private static long? _rangedMinBytes;

    /// <summary>
    /// The file in <see cref="RangedStreams"/> contiguous ranges fetched at once, each written at its offset of the .part
    /// and checksummed on its own; the ranges' adler32s are combined in order into the file's, which must match the
    /// catalogue before the rename, exactly as for one stream. When a range fails, the .part is cut back to the bytes
    /// that are contiguous from the start, so the next attempt resumes from there as a single stream.
    /// </summary>
    private async Task<ResumableResult> RangedAsync(IRangedRead source, string pfn, long total, IProgress<long>? progress,
        Func<int, CancellationToken, ValueTask>? pace, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_final)!);
        var count = (int)Math.Min(RangedStreams, Math.Max(1, total / RangeBlock));
        var step = total / count;
        var ranges = Enumerable.Range(0, count).Select(i => (Offset: i * step, Length: i == count - 1 ? total - i * step : step)).ToArray();
        var written = new long[count];
        var sums = new uint[count];
        var report = new Lock();
        // No preallocation: each range extends the file where it writes (a crash leaves holes, which resume never trusts).
        using (var handle = File.OpenHandle(PartPath, FileMode.Create, FileAccess.Write, FileShare.Read))
        {
            // The first range to fail stops the others.
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
            try
            {
                await Task.WhenAll(ranges.Select((r, i) => Task.Run(async () =>
                {
                    try
                    {
                        sums[i] = await FetchRangeAsync(source, pfn, handle, r.Offset, r.Length, n =>
                        {
                            written[i] += n;
                            if (progress is not null) lock (report) progress.Report(n);
                        }, pace, failed.Token);
                    }
                    catch
                    {
                        await failed.CancelAsync();
                        throw;
                    }
                }, ct)));
            }
            catch
            {
                // Keep only what a single-stream resume can trust: the leading ranges that are whole, and what the first
                // unfinished one got.
                long prefix = 0;
                for (var i = 0; i < count; i++)
                {
                    prefix += written[i];
                    if (written[i] < ranges[i].Length) break;
                }
                RandomAccess.SetLength(handle, prefix);
                throw;
            }
        }
        var adler = sums[0];
        for (var i = 1; i < count; i++) adler = Adler32.Combine(adler, sums[i], ranges[i].Length);
        var result = new Checksums(total, Adler32.ToHex(adler), null);
        try { VerifiedCopy.Verify(_final, result, _expected); }
        catch (FerryException)
        {
            File.Delete(PartPath);
            throw;
        }
        File.Move(PartPath, _final, overwrite: true);
        return new ResumableResult(ResumableOutcome.Downloaded, total, 0, result.Adler32, count);
    }

    /// <summary>One range into the file at its offset; returns the range's own adler32 after checking its length.</summary>
    private static async Task<uint> FetchRangeAsync(IRangedRead source, string pfn, SafeFileHandle handle, long offset, long length,
        Action<int> wrote, Func<int, CancellationToken, ValueTask>? pace, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(RangeBlock);
        try
        {
            await using var input = await source.OpenRangeAsync(pfn, offset, length, ct);
            var adler = Adler32.Initial;
            long done = 0;
            while (done < length)
            {
                // Fill a whole block before writing: fewer, larger writes.
                var want = (int)Math.Min(RangeBlock, length - done);
                var filled = 0;
                while (filled < want)
                {
                    var n = await input.ReadAsync(buffer.AsMemory(filled, want - filled), ct);
                    if (n == 0) throw new StorageException($"{pfn}: the range at {offset} ended after {done + filled} of {length} bytes", permanent: false);
                    filled += n;
                }
                if (pace is not null) await pace(filled, ct);
                adler = Adler32.Update(adler, buffer.AsSpan(0, filled));
                // A plain pwrite into the page cache: the range already runs on its own pool thread.
                RandomAccess.Write(handle, buffer.AsSpan(0, filled), offset + done);
                done += filled;
                wrote(filled);
            }
            if (await input.ReadAsync(buffer.AsMemory(0, 1), ct) != 0)
                throw new StorageException($"{pfn}: the range at {offset} holds more than the {length} bytes asked for", permanent: false);
            return adler;
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }
}
