using Ferry.Core.Errors;
using Ferry.Storage;
using Ferry.Storage.Verification;

namespace Ferry.Transfer.Upload;

/// <summary>Moving bytes: one file per stream, retried on transient errors, never overwriting what the catalogue holds.</summary>
public sealed partial class Uploader
{
    /// <summary>Copies one file to its PFN (or adopts bytes an interrupted run left there). Null when the file failed.</summary>
    private async Task<Ready?> CopyAsync(FileOutcome f, Known? known, JournalRecord? previous, CancellationToken ct)
    {
        var e = f.Entry;
        try
        {
            if (previous is { Event: "copied", Adler32: { } adler } && previous.Rse == _o.WriteRse && previous.Describes(e) && (_o.Md5 == false || previous.Md5 is not null)
                && (known?.Adler32 is null || string.Equals(known.Adler32, adler, StringComparison.OrdinalIgnoreCase))
                && await AdoptableAsync(f.Pfn!, e.Bytes, adler, ct))
            {
                (f.Adler32, f.Md5) = (adler, previous.Md5);
                _journal!.Append(Progressed(f, "copied", new Checksums(e.Bytes, adler, previous.Md5)));
                Report(e.Bytes);
                return new Ready(f, false, known is not null && known.States.ContainsKey(_o.WriteRse));
            }
            _journal!.Append(Progressed(f, "copying"));
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var sums = await _retry.ExecuteAsync(async t =>
            {
                f.Attempts++;
                return await CopyOnceAsync(e, f.Pfn!, known, t);
            }, ct);
            _timing.Add("copy", sw.Elapsed);
            (f.Adler32, f.Md5) = (sums.Adler32, sums.Md5);
            _journal.Append(Progressed(f, "copied", sums));
            Report(sums.Bytes);
            return new Ready(f, false, known is not null && known.States.ContainsKey(_o.WriteRse));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            f.Fail(UploadErrors.Classify(ex), UploadErrors.Describe(ex));
            Done(f);
            return null;
        }
    }

    private async Task<Checksums> CopyOnceAsync(CatalogueEntry e, string pfn, Known? known, CancellationToken ct)
    {
        CheckUnchanged(e, "before it was read");
        await using var source = OpenLocal(e);
        Checksums sums;
        try
        {
            sums = await VerifiedCopy.WriteAsync(source, _endpoint.Backend, pfn, new ExpectedChecksums(known?.Bytes ?? e.Bytes, known?.Adler32, null), _o.Md5, null, ct);
        }
        catch (FerryException x) when (x.ExceptionClass == "FileConsistencyMismatch")
        {
            CheckUnchanged(e, "while it was read");
            if (known is null) throw new UploadFailure(ErrorKind.FileChanged, $"{e.LocalPath} changed while it was read: {x.Message}");
            throw new UploadFailure(ErrorKind.ChecksumConflict,
                $"{e.Did} is already in the catalogue with {known.Bytes} bytes and adler32 {known.Adler32}, and the local file {e.LocalPath} differs ({x.Message}); nothing was overwritten");
        }
        try { CheckUnchanged(e, "while it was read"); }
        catch (UploadFailure)
        {
            await DeleteQuietlyAsync(pfn);
            throw;
        }
        return sums;
    }

    /// <summary>Reads a file the catalogue already has on the RSE and compares: the same bytes are ALREADY_PRESENT, others a conflict.</summary>
    private async Task<Ready?> VerifyPresentAsync(FileOutcome f, Known known, CancellationToken ct)
    {
        var e = f.Entry;
        try
        {
            var sums = await _retry.ExecuteAsync(async t =>
            {
                f.Attempts++;
                CheckUnchanged(e, "before it was read");
                await using var source = OpenLocal(e);
                var s = await VerifiedCopy.CopyAsync(source, Stream.Null, _o.Md5, null, t);
                CheckUnchanged(e, "while it was read");
                return s;
            }, ct);
            if (sums.Bytes != known.Bytes || !string.Equals(sums.Adler32, known.Adler32, StringComparison.OrdinalIgnoreCase))
                throw new UploadFailure(ErrorKind.ChecksumConflict,
                    $"{e.Did} is already registered with {known.Bytes} bytes and adler32 {known.Adler32}; the local file {e.LocalPath} has {sums.Bytes} bytes and adler32 {sums.Adler32}; nothing was overwritten");
            (f.Status, f.Adler32, f.Md5) = (UploadStatus.AlreadyPresent, sums.Adler32, sums.Md5);
            Report(sums.Bytes);
            return new Ready(f, true, true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            f.Fail(UploadErrors.Classify(ex), UploadErrors.Describe(ex));
            Done(f);
            return null;
        }
    }

    /// <summary>Bytes an interrupted run left under the final name are kept when their size and adler32 are the ones journalled.</summary>
    private async Task<bool> AdoptableAsync(string pfn, long bytes, string adler32, CancellationToken ct)
    {
        try
        {
            var stat = await _endpoint.Backend.StatAsync(pfn, ct);
            if (stat is null || stat.Bytes != bytes) return false;
            string? actual = null;
            if (_endpoint.Backend is IServerSideChecksum { Algorithm: "adler32" } server) actual = (await server.ChecksumAsync(pfn, ct))?.Value;
            if (actual is null)
            {
                await using var read = await _endpoint.Backend.OpenReadAsync(pfn, 0, ct);
                actual = (await VerifiedCopy.CopyAsync(read, Stream.Null, false, null, ct)).Adler32;
            }
            return string.Equals(actual, adler32, StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException or FerryException) { return false; }
    }

    private static FileStream OpenLocal(CatalogueEntry e)
    {
        try { return new FileStream(e.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan); }
        catch (Exception x) when (x is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UploadFailure(ErrorKind.FileVanished, $"{e.LocalPath} vanished before it was read");
        }
        catch (UnauthorizedAccessException)
        {
            throw new UploadFailure(ErrorKind.Other, $"{e.LocalPath} cannot be read: permission denied");
        }
    }

    /// <summary>The file must still be there with the size and modification time it had in the catalogue.</summary>
    private static void CheckUnchanged(CatalogueEntry e, string when)
    {
        var info = new FileInfo(e.LocalPath);
        if (!info.Exists) throw new UploadFailure(ErrorKind.FileVanished, $"{e.LocalPath} vanished {when}");
        var mtime = new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeMilliseconds();
        if (info.Length != e.Bytes || mtime != e.MTimeMs)
            throw new UploadFailure(ErrorKind.FileChanged, $"{e.LocalPath} changed {when}: {info.Length} bytes, modified {DateTimeOffset.FromUnixTimeMilliseconds(mtime):u}; catalogued with {e.Bytes} bytes, modified {DateTimeOffset.FromUnixTimeMilliseconds(e.MTimeMs):u}");
    }

    private async Task DeleteQuietlyAsync(string pfn)
    {
        try { await _endpoint.Backend.DeleteAsync(pfn, CancellationToken.None); }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException or FerryException) { Warn($"could not delete {pfn}: {x.Message}"); }
    }
}
