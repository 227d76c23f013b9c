using System.Collections.Concurrent;
using System.Text.Json;
using Ferry.Agent.Hosting;
using Ferry.Agent.Listing;
using Ferry.Agent.Logs;
using Ferry.Agent.Server;
using Ferry.Agent.State;
using Ferry.Client.Http;
using Ferry.Transfer;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Agent.Downloads;

/// <summary>
/// Runs one job per requested dataset. Files of all jobs share one pool of <c>MaxParallel</c> slots and one optional
/// bandwidth limit. A job that cannot reach the server waits on the <see cref="ServerLink"/>; a job with nothing to do
/// does not exist, so an idle agent runs no code at all. State lives in the store: after a kill the jobs of queued and
/// downloading requests are started again and partial files resume from their .part.
/// </summary>
public sealed class DownloadManager(AgentStore store, Listings listings, ServerLink link, LocalLayout layout, AgentLog log, TimeProvider time, AgentOptions options)
{
    private readonly ConcurrentDictionary<string, DatasetJob> _jobs = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<ClientEndpoint>>> _endpoints = new();
    private readonly SemaphoreSlim _slots = new(options.MaxParallel);
    private readonly BandwidthLimiter? _limiter = options.BandwidthLimit is { } b ? new BandwidthLimiter(b, time) : null;
    private CancellationToken _stopping = CancellationToken.None;

    public void Resume(CancellationToken stopping)
    {
        _stopping = stopping;
        foreach (var r in store.Requests().Where(r => r.State is "queued" or "downloading")) Start(r.Did);
    }

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Queues the request (or re-queues a failed one) and starts its job unless one is running.</summary>
    public void Request(DidRef did, string? parent = null)
    {
        store.Enqueue(did.ToString(), parent, Now);
        if (store.Request(did.ToString())?.State == "queued") Start(did.ToString());
    }

    private void Start(string did)
    {
        var job = new DatasetJob(_stopping);
        if (!_jobs.TryAdd(did, job)) return;
        job.Task = Task.Run(async () =>
        {
            try { await RunAsync(DidRef.Parse(did), job, job.Cancel.Token); }
            catch (OperationCanceledException) when (job.Cancel.IsCancellationRequested) { }
            catch (Exception e)
            {
                // The last line of defence: a bug or an unforeseen error marks the dataset failed instead of killing the agent.
                log.Error($"{e.GetType().Name}: {e.Message}", did);
                Fail(did, "failed", e.Message);
            }
            finally
            {
                _jobs.TryRemove(new KeyValuePair<string, DatasetJob>(did, job));
                // The last job gone, the agent may sit idle for days: hand the copy buffers and heap back to the system.
                if (_jobs.IsEmpty) GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
        });
    }

    /// <summary>Waits (bounded) for the running jobs to notice the stop, so none touches the store after it is closed.</summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        var running = _jobs.Values.Select(j => j.Task).OfType<Task>().ToArray();
        try { await Task.WhenAll(running).WaitAsync(limit); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException) { }
    }

    public DatasetProgress? Progress(string did) => _jobs.TryGetValue(did, out var job) ? job.Progress : null;

    public IReadOnlyList<(string Did, DatasetProgress Progress)> Running() => _jobs.Select(j => (j.Key, j.Value.Progress)).OrderBy(j => j.Key, StringComparer.Ordinal).ToList();

    /// <summary>Stops the downloads of the request (and of a container's datasets), deletes their files and forgets them.</summary>
    public async Task<bool> RemoveAsync(DidRef did)
    {
        var request = store.Request(did.ToString());
        if (request is null) return false;
        var dids = new List<string> { did.ToString() };
        dids.AddRange(store.Children(did.ToString()).Select(c => c.Did));
        foreach (var d in dids)
        {
            if (!_jobs.TryGetValue(d, out var job)) continue;
            await job.Cancel.CancelAsync();
            try { await job.Task; } catch (OperationCanceledException) { }
        }
        foreach (var d in dids)
        {
            foreach (var f in store.Files(d))
            {
                var path = layout.Absolute(f.Path);
                File.Delete(path);
                File.Delete(path + ResumableDownload.PartSuffix);
            }
            layout.PruneEmpty(DidRef.Parse(d));
        }
        store.Remove(dids);
        log.Info($"cancelled and removed {did} ({dids.Count - 1} datasets below it)");
        return true;
    }

    private void Fail(string did, string status, string? error)
    {
        store.SetState(did, "failed", Now, status: status, error: error);
        log.Error($"{status}: {error}", did);
    }

    private async Task RunAsync(DidRef did, DatasetJob job, CancellationToken ct)
    {
        var key = did.ToString();
        var listing = await listings.GetAsync(did, ct);
        if (!listing.Ok) { Fail(key, listing.Status, listing.Error); return; }
        switch (listing.Kind)
        {
            case "FILE":
                Fail(key, "not_a_dataset", $"{key} is a file; ask for the dataset or container that holds it");
                return;
            case "CONTAINER":
                // Children first: a container reads "local" once it is marked so and all its datasets are, and
                // marking it before they are known would show it complete and empty to a reader in between.
                log.Info($"container with {listing.Datasets.Count} datasets", key);
                foreach (var ds in listing.Datasets) Request(DidRef.Parse(ds), key);
                store.SetState(key, "local", Now, kind: "CONTAINER");
                return;
        }
        var placed = listing.Files.Select(f => new FileRow(key, f.Did, f.Bytes, f.Adler32, layout.RelativePath(did, DidRef.Parse(f.Did)), 0)).ToList();
        // A '/'-rooted name keeps only its last segment (as in Rucio): two such files of one dataset may meet on one path.
        if (placed.GroupBy(f => f.Path, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            Fail(key, "failed", DownloadPaths.Collision(clash.Key, clash.Select(f => DidRef.Parse(f.Did))));
            return;
        }
        store.SetState(key, "downloading", Now, kind: "DATASET");
        store.AddFiles(key, placed);
        var rows = store.Files(key);
        var pending = rows.Where(r => !r.IsDone).ToList();
        job.Reset(rows.Count - pending.Count, rows.Count, rows.Where(r => r.IsDone).Sum(r => r.Bytes), rows.Sum(r => r.Bytes));

        var onDisk = pending.Sum(f => PartBytes(f));
        var needed = pending.Sum(f => f.Bytes) - onDisk;
        var free = layout.FreeBytes() - options.MinFreeBytes;
        if (needed > free)
        {
            Fail(key, "insufficient_space", $"needs {needed} more bytes in {layout.Root}, only {Math.Max(0, free)} available" +
                (options.MinFreeBytes > 0 ? $" (keeping {options.MinFreeBytes} free)" : ""));
            return;
        }
        if (pending.Count > 0) log.Info($"downloading {pending.Count} of {rows.Count} files, {needed} bytes to fetch", key);

        var replicas = pending.Count == 0 ? [] : (await link.CallAsync((c, t) => c.ListReplicasAsync([did], ct: t), ct))
            .GroupBy(r => $"{r.Scope}:{r.Name}").ToDictionary(g => g.Key, g => g.First());
        var errors = new ConcurrentBag<string>();
        try
        {
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallel, CancellationToken = ct }, async (f, t) =>
            {
                await _slots.WaitAsync(t);
                job.Started();
                try
                {
                    if (await FetchAsync(key, f, replicas.GetValueOrDefault(f.Did), job, t) is { } error) errors.Add($"{f.Did}: {error}");
                }
                finally { job.Stopped(); _slots.Release(); }
            });
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            Fail(key, "disk_full", $"the disk under {layout.Root} filled up: {e.Message}; partial files are kept as .ferry.part and resume on the next request");
            return;
        }
        if (errors.IsEmpty)
        {
            store.SetState(key, "local", Now);
            log.Info($"complete: {rows.Count} files, {rows.Sum(r => r.Bytes)} bytes, every adler32 verified", key);
        }
        else Fail(key, "failed", $"{errors.Count} of {rows.Count} files failed; first: {errors.First()}");
    }

    private long PartBytes(FileRow f)
    {
        var part = new FileInfo(layout.Absolute(f.Path) + ResumableDownload.PartSuffix);
        return part.Exists ? Math.Min(part.Length, f.Bytes) : 0;
    }

    /// <summary>Fetches one file from the first source that works; null on success, else why not.</summary>
    private async Task<string?> FetchAsync(string dataset, FileRow f, Ferry.Core.Dialect.RucioReplica? replica, DatasetJob job, CancellationToken ct)
    {
        if (f.Adler32 is null) return "the catalogue has no adler32 for it, so it cannot be verified";
        var sources = replica?.Sources().ToList() ?? [];
        if (sources.Count == 0) return "no AVAILABLE replica";
        var error = "no replica with a protocol the agent can read";
        foreach (var (pfn, rse) in sources)
        {
            long reported = 0;
            try
            {
                var endpoint = await EndpointAsync(rse, ct);
                if (!pfn.StartsWith(endpoint.Scheme + "://", StringComparison.Ordinal)) continue;
                var download = new ResumableDownload(layout.Absolute(f.Path), f.Bytes, f.Adler32);
                var progress = new Callback(n => { reported += n; job.AddBytes(n); });
                var started = time.GetUtcNow();
                var result = await download.RunAsync(endpoint.Backend, pfn, progress,
                    _limiter is null ? null : _limiter.PaceAsync, ct);
                if (result.Outcome != ResumableOutcome.AlreadyPresent)
                    await link.TraceReadAsync(Core.Identifiers.DidRef.Parse(f.Did), rse, result.Bytes, started, ct);
                store.MarkDone(dataset, f.Did);
                job.FileDone();
                if (result.Outcome == ResumableOutcome.Resumed) log.Info($"{f.Did}: resumed at byte {result.ResumedFrom} of {result.Bytes}, adler32 {result.Adler32} verified", dataset);
                return null;
            }
            catch (IOException e) when (IsDiskFull(e)) { job.AddBytes(-reported); throw; }
            catch (Exception e) when (!ct.IsCancellationRequested && e is IOException or UnauthorizedAccessException or FerryException)
            {
                job.AddBytes(-reported);
                error = $"{rse}: {e.Message}";
                log.Warn($"{f.Did}: {error}", dataset);
            }
        }
        return error;
    }

    private async Task<ClientEndpoint> EndpointAsync(string rse, CancellationToken ct)
    {
        var lazy = _endpoints.GetOrAdd(rse, name => new Lazy<Task<ClientEndpoint>>(async () =>
            // With the client, storage that the Ferry server itself serves gets the agent's token.
            await link.CallAsync(async (c, t) => RseAccess.Choose(await c.GetRseAsync(name, t), "read", c), _stopping)));
        try { return await lazy.Value.WaitAsync(ct); }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            // A failed lookup is not remembered: the next file asks again.
            _endpoints.TryRemove(new KeyValuePair<string, Lazy<Task<ClientEndpoint>>>(rse, lazy));
            throw;
        }
    }

    private static bool IsDiskFull(IOException e) => e.HResult == 28 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);
}
