using System.Buffers;
using Ferry.Core.Checksums;
using Ferry.Core.Errors;
using Ferry.Storage;
using Ferry.Storage.Verification;

namespace Ferry.Transfer;

public enum ResumableOutcome { AlreadyPresent, Downloaded, Resumed }

/// <param name="Streams">How many ranged streams fetched the file (1: a single stream).</param>
public sealed record ResumableResult(ResumableOutcome Outcome, long Bytes, long ResumedFrom, string Adler32, int Streams = 1);

/// <summary>
/// One file fetched into <c>FINAL.ferry.part</c> and renamed to FINAL only once its size and adler32 match the
/// catalogue. A .part left by an interrupted run (a crash, SIGKILL, a lost connection) is continued by byte range:
/// the bytes already on disk are hashed first, then only the rest is read from the source. Nothing unverified ever
/// appears under the final name.
/// </summary>
public sealed partial class ResumableDownload
{
    private const int BufferSize = 1 << 20;
    private readonly string _final;
    private readonly ExpectedChecksums _expected;

    public ResumableDownload(string finalPath, ExpectedChecksums expected)
    {
        // Without an adler32 a resumed file could not be verified end to end, and md5 cannot be resumed cheaply.
        if (expected.Adler32 is null)
            throw new FerryException("FileConsistencyMismatch", 412, $"{finalPath}: the catalogue has no adler32, so a download cannot be verified");
        _final = Path.GetFullPath(finalPath);
        _expected = expected;
    }

    /// <summary>A download checked by size and adler32 (what the catalogue lists for a file).</summary>
    public ResumableDownload(string finalPath, long? bytes, string? adler32) : this(finalPath, new ExpectedChecksums(bytes, adler32, null)) { }

    public string FinalPath => _final;
    /// <summary>What a file being downloaded is called until it is verified: its final name plus this.</summary>
    public const string PartSuffix = VerifiedCopy.TempSuffix;

    public string PartPath => _final + PartSuffix;

    /// <summary>Bytes already on disk for this file: the whole size when final, else what the .part holds.</summary>
    public long BytesOnDisk => File.Exists(_final) ? new FileInfo(_final).Length : File.Exists(PartPath) ? new FileInfo(PartPath).Length : 0;

    /// <summary>
    /// Makes FINAL exist and verified from <paramref name="pfn"/> on <paramref name="backend"/>: a large file on storage
    /// that serves byte ranges comes over several streams at once (<see cref="RangedAsync"/>), anything else (and any
    /// resumed .part) as one stream.
    /// </summary>
    public Task<ResumableResult> RunAsync(IStorageBackend backend, string pfn, IProgress<long>? progress = null,
        Func<int, CancellationToken, ValueTask>? pace = null, CancellationToken ct = default) =>
        backend is IRangedRead ranged && RangedStreams > 1 && _expected.Bytes is { } total && total >= RangedMinBytes
            && !File.Exists(_final) && !File.Exists(PartPath)
            ? RangedAsync(ranged, pfn, total, progress, pace, ct)
            : RunAsync((offset, t) => backend.OpenReadAsync(pfn, offset, t), progress, pace, ct);

    /// <summary>
    /// Makes FINAL exist and verified. <paramref name="openAt"/> opens the source at a byte offset;
    /// <paramref name="pace"/> (optional) is awaited before each block is written, for a bandwidth limit;
    /// <paramref name="progress"/> receives the byte count of each block written (resumed bytes are reported once, first).
    /// </summary>
    public async Task<ResumableResult> RunAsync(Func<long, CancellationToken, Task<Stream>> openAt, IProgress<long>? progress = null,
        Func<int, CancellationToken, ValueTask>? pace = null, CancellationToken ct = default)
    {
        if (File.Exists(_final))
        {
            using var present = await HashAsync(_final, long.MaxValue, ct);
            if (Matches(present)) return new ResumableResult(ResumableOutcome.AlreadyPresent, present.Bytes, present.Bytes, present.Result().Adler32);
            // A wrong file under the final name (edited by hand, or from another dataset version) is fetched again.
            File.Delete(_final);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(_final)!);
        using var acc = File.Exists(PartPath) ? await HashAsync(PartPath, _expected.Bytes ?? long.MaxValue, ct) : new ChecksumAccumulator(false);
        var resumedFrom = acc.Bytes;
        progress?.Report(resumedFrom);
        await using (var output = new FileStream(PartPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, 1))
        {
            // Anything beyond what was hashed (a .part longer than the file should be) is cut off.
            output.SetLength(resumedFrom);
            output.Position = resumedFrom;
            if (_expected.Bytes is not { } total || resumedFrom < total)
            {
                await using var source = await openAt(resumedFrom, ct);
                await VerifiedCopy.CopyAsync(source, output, acc, progress, pace, ct);
            }
        }
        var sums = acc.Result();
        try { VerifiedCopy.Verify(_final, sums, _expected); }
        catch (FerryException)
        {
            // A bad .part must not be resumed again: the next attempt starts from byte zero.
            File.Delete(PartPath);
            throw;
        }
        File.Move(PartPath, _final, overwrite: true);
        return new ResumableResult(resumedFrom > 0 ? ResumableOutcome.Resumed : ResumableOutcome.Downloaded, sums.Bytes, resumedFrom, sums.Adler32);
    }

    /// <summary>Removes the final file and its .part; what is not there is not an error.</summary>
    public void Delete()
    {
        File.Delete(_final);
        File.Delete(PartPath);
    }

    private bool Matches(ChecksumAccumulator present)
    {
        try { VerifiedCopy.Verify(_final, present.Result(), _expected); return true; }
        catch (FerryException) { return false; }
    }

    private static async Task<ChecksumAccumulator> HashAsync(string path, long limit, CancellationToken ct)
    {
        var acc = new ChecksumAccumulator(false);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
            while (acc.Bytes < limit)
            {
                var n = await fs.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferSize, limit - acc.Bytes)), ct);
                if (n == 0) break;
                acc.Append(buffer.AsSpan(0, n));
            }
        }
        catch
        {
            acc.Dispose();
            throw;
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        return acc;
    }
}
