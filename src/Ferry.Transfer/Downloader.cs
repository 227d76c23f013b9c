using System.Collections.Concurrent;
using System.Text.Json;
using Ferry.Client.Http;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Storage.Posix;
using Ferry.Storage.Verification;

namespace Ferry.Transfer;

public enum DownloadStatus { Downloaded, AlreadyPresent, Failed }

/// <summary>
/// One file's outcome; <paramref name="ResumedFrom"/> is how many bytes of an earlier interrupted download were kept,
/// <paramref name="Streams"/> how many parallel ranged streams fetched it.
/// </summary>
public sealed record DownloadResult(DidRef File, string LocalPath, DownloadStatus Status, long Bytes, string? Error, long ResumedFrom = 0, int Streams = 1);

/// <summary>
/// Downloads DIDs as Rucio does: a collection lands in DIR/NAME/, a file in DIR/SCOPE/ (see <see cref="DownloadPaths"/>
/// for names that start with '/'). Each file is copied into
/// DEST.ferry.part while its adler32 (or md5) is computed, compared with the catalogue, and only then renamed.
/// Files already present with the right checksum are skipped.
/// </summary>
public sealed class Downloader(FerryClient client, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<IReadOnlyList<DownloadResult>> DownloadAsync(IReadOnlyList<DidRef> dids, string directory, int parallel = 4,
        IProgress<TransferProgress>? progress = null, CancellationToken ct = default)
    {
        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        var planned = new List<(DidRef File, string Dest, RucioReplica Replica)>();
        foreach (var did in dids)
        {
            var meta = await client.GetDidAsync(did, ct: ct);
            var isFile = meta is Ferry.Core.Dialect.RucioFileDid;
            foreach (var r in await client.ListReplicasAsync([did], ct: ct))
            {
                var file = new DidRef(r.Scope, r.Name);
                var relative = isFile ? DownloadPaths.OfFile(file) : DownloadPaths.OfMember(did, file);
                planned.Add((file, DownloadPaths.Under(root, relative), r));
            }
        }
        var results = new ConcurrentBag<DownloadResult>();
        // The same file asked for twice is fetched once; two files bound for one path fail rather than overwrite each other.
        var jobs = new List<(DidRef File, string Dest, RucioReplica Replica)>();
        foreach (var atPath in planned.GroupBy(j => j.Dest, StringComparer.Ordinal))
        {
            var files = atPath.Select(j => j.File).Distinct().ToList();
            if (files.Count == 1) jobs.Add(atPath.First());
            else foreach (var f in files) results.Add(new DownloadResult(f, atPath.Key, DownloadStatus.Failed, 0, DownloadPaths.Collision(atPath.Key, files)));
        }
        var localRoot = new PosixBackend(root);
        var rseCache = new ConcurrentDictionary<string, Lazy<Task<ClientEndpoint>>>();
        int done = 0;
        long bytes = 0;
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel), CancellationToken = ct }, async (job, token) =>
        {
            var expected = new ExpectedChecksums(job.Replica.Bytes, job.Replica.Adler32, job.Replica.Md5);
            var localPfn = "file://localhost" + localRoot.LocalPath(job.Dest);
            try
            {
                if (File.Exists(job.Dest) && await MatchesAsync(job.Dest, expected, token))
                {
                    results.Add(new DownloadResult(job.File, job.Dest, DownloadStatus.AlreadyPresent, new FileInfo(job.Dest).Length, null));
                    return;
                }
                if (expected.Adler32 is null && expected.Md5 is null)
                    throw new FerryException("FileConsistencyMismatch", 412, $"{job.File} has no checksum in the catalogue, so it cannot be verified");
                var error = "no replica with a protocol this client can read";
                foreach (var (pfn, rse) in job.Replica.Sources())
                {
                    try
                    {
                        var endpoint = await rseCache.GetOrAdd(rse, r => new Lazy<Task<ClientEndpoint>>(async () => RseAccess.Choose(await client.GetRseAsync(r, token), "read", client))).Value;
                        if (!pfn.StartsWith(endpoint.Scheme + "://", StringComparison.Ordinal)) continue;
                        var download = new ResumableDownload(localRoot.LocalPath(localPfn), expected);
                        var kept = File.Exists(download.PartPath);
                        var started = _clock.GetUtcNow();
                        ResumableResult outcome;
                        try { outcome = await download.RunAsync(endpoint.Backend, pfn, ct: token); }
                        // A kept head that did not verify was discarded: one fetch from byte zero settles it.
                        catch (FerryException) when (kept)
                        {
                            outcome = await download.RunAsync(endpoint.Backend, pfn, ct: token);
                        }
                        var resumedFrom = outcome.Outcome == ResumableOutcome.Resumed ? outcome.ResumedFrom : 0;
                        // The replica was read: a trace, as Rucio's client sends, lets retention by last access see it.
                        if (outcome.Outcome != ResumableOutcome.AlreadyPresent)
                            await client.TraceReadAsync(job.File, rse, outcome.Bytes, started, _clock.GetUtcNow(), token);
                        results.Add(new DownloadResult(job.File, job.Dest, DownloadStatus.Downloaded, outcome.Bytes, null, resumedFrom, outcome.Streams));
                        progress?.Report(new TransferProgress(Interlocked.Increment(ref done), Interlocked.Add(ref bytes, outcome.Bytes)));
                        return;
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or FerryException && !token.IsCancellationRequested)
                    {
                        error = $"{rse}: {e.Message}";
                    }
                }
                results.Add(new DownloadResult(job.File, job.Dest, DownloadStatus.Failed, 0, error));
            }
            catch (FerryException e)
            {
                results.Add(new DownloadResult(job.File, job.Dest, DownloadStatus.Failed, 0, e.Message));
            }
        });
        return results.OrderBy(r => r.LocalPath, StringComparer.Ordinal).ToList();
    }

    private static async Task<bool> MatchesAsync(string path, ExpectedChecksums expected, CancellationToken ct)
    {
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var sums = await VerifiedCopy.CopyAsync(fs, Stream.Null, expected.Adler32 is null, null, ct);
        try { VerifiedCopy.Verify(path, sums, expected); return expected.Adler32 is not null || expected.Md5 is not null; }
        catch (FerryException) { return false; }
    }
}
