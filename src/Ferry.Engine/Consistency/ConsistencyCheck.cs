using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Paths;
using Ferry.Core.Sync;
using Ferry.Engine.Storage;
using Ferry.Storage;
using Ferry.Storage.Verification;
using Microsoft.Extensions.Logging;

namespace Ferry.Engine.Consistency;

/// <summary>What to check and whether to repair: dump paths instead of listing, the grace for dark files, the sample.</summary>
/// <param name="Only">
/// The files of a restricted round (`ferry site run --dids`): only their replicas are checked for loss and corruption,
/// and no file is called dark (a file on storage that the catalogue does not know belongs to no DID).
/// </param>
public sealed record CheckRequest(string Rse, IReadOnlyList<string>? DumpPaths, bool Fix, TimeSpan Grace, int Sample, double ChecksPerSecond,
    IReadOnlySet<(string Scope, string Name)>? Only = null);

public sealed record CheckedFile(string Path, string? Did, string Problem);

public sealed record CheckReport(string Rse, string Source, int Catalogued, int OnStorage, int Present, IReadOnlyList<CheckedFile> Dark,
    int YoungDark, IReadOnlyList<CheckedFile> Lost, IReadOnlyList<CheckedFile> Mismatched, int Sampled, bool Fixed, int Deleted, int DeclaredBad,
    IReadOnlyList<string> Errors, IReadOnlyDictionary<string, long> PhaseMs);

/// <summary>
/// Compares an RSE's catalogue with its storage (listed, or as a dump says). Dark files (on storage, in no replica
/// row, older than the grace) are deleted with Fix; lost replicas (AVAILABLE in the catalogue, not on storage) and
/// sampled replicas whose size or checksum differ are declared BAD with Fix, so rules copy them again from a good
/// replica. Every candidate is looked at again on the storage itself before anything is done to it.
/// </summary>
public sealed class ConsistencyCheck(RseCatalog rses, RseReplicaListing listing, ReplicaCatalog replicas, RseStorage storage, TimeProvider clock,
    Random random, ILogger<ConsistencyCheck> logger)
{
    private const int Parallel = 8;

    public async Task<CheckReport> RunAsync(CheckRequest req, CancellationToken ct)
    {
        var phases = new Dictionary<string, long>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        void Phase(string name) { phases[name] = watch.ElapsedMilliseconds; watch.Restart(); }

        var rse = await rses.GetAsync(req.Rse);
        var endpoint = await storage.OpenAsync(rse.Id, StorageOperation.Read);
        var rows = await listing.ListAsync(rse.Name, ct, withDatasets: false);
        if (req.Only is { } only) rows = rows.Where(r => only.Contains((r.Scope, r.Name))).ToList();
        var (expected, known) = Expectation(rows);
        Phase("catalogue");

        IReadOnlyList<string> onStorage = req.DumpPaths ?? await ListStorageAsync(endpoint, ct);
        if (req.Only is not null) onStorage = onStorage.Where(known.Contains).ToList();
        Phase(req.DumpPaths is null ? "list" : "dump");

        var diff = StorageDiff.Compare(expected, known, onStorage);
        Phase("compare");

        var now = clock.GetUtcNow();
        var errors = new List<string>();
        var dark = new List<CheckedFile>();
        var young = 0;
        await ForEach(diff.Dark, async (path, t) =>
        {
            var stat = await Try(() => endpoint.Backend.StatAsync(endpoint.Pfn(path), t), path, errors);
            if (stat is null) return;                             // gone since the dump or the listing
            var age = stat.Modified is { } m ? now - m : (TimeSpan?)null;
            if (req.Grace > TimeSpan.Zero && (age is null || age < req.Grace)) { Interlocked.Increment(ref young); return; }
            lock (dark) dark.Add(new CheckedFile(path, null, age is null ? "age unknown" : $"{(long)age.Value.TotalHours}h old, {stat.Bytes} bytes"));
        }, ct);
        var lost = new List<CheckedFile>();
        await ForEach(diff.Lost, async (r, t) =>
        {
            if (await Try(() => endpoint.Backend.StatAsync(endpoint.Pfn(r.Path), t), r.Path, errors) is not null) return;
            lock (lost) lost.Add(new CheckedFile(r.Path, $"{r.Scope}:{r.Name}", "not on storage"));
        }, ct);
        Phase("confirm");

        var (mismatched, sampled) = await SampleAsync(endpoint, diff.Present, req, errors, ct);
        Phase("sample");

        int deleted = 0, declared = 0;
        if (req.Fix)
        {
            deleted = await DeleteDarkAsync(rse.Name, dark, errors, ct);
            var bad = lost.Concat(mismatched).Select(f => f.Did!.Split(':', 2)).Select(p => (p[0], p[1], rse.Name)).ToList();
            foreach (var chunk in bad.Chunk(ReplicaCatalog.MaxBatch))
            {
                var failures = await replicas.DeclareBadAsync(chunk, $"consistency check of {rse.Name}: lost or corrupt on storage");
                declared += chunk.Length - failures.Values.Sum(l => l.Count);
                errors.AddRange(failures.SelectMany(f => f.Value.Select(v => $"{f.Key}: {v}")));
            }
            Phase("fix");
        }
        logger.LogInformation("Checked {Rse}: {Catalogued} catalogued, {OnStorage} on storage, {Dark} dark, {Lost} lost, {Mismatched} mismatched; deleted {Deleted}, declared bad {Declared}",
            rse.Name, rows.Count, onStorage.Count, dark.Count, lost.Count, mismatched.Count, deleted, declared);
        return new CheckReport(rse.Name, req.DumpPaths is null ? "listing" : "dump", expected.Count, onStorage.Count, diff.Present.Count,
            Sorted(dark), young, Sorted(lost), Sorted(mismatched), sampled, req.Fix, deleted, declared, errors, phases);
    }

    private static (List<PlacedReplica> Expected, HashSet<string> Known) Expectation(IReadOnlyList<RseReplica> rows)
    {
        var expected = new List<PlacedReplica>(rows.Count);
        var known = new HashSet<string>(rows.Count, StringComparer.Ordinal);
        foreach (var r in rows)
        {
            var path = r.Path ?? Lfn2Pfn.Hash(r.Scope, r.Name);
            known.Add(path);
            // A copy in flight writes under a temporary name first; that is not a dark file.
            if (r.State != ReplicaState.Available) known.Add(path + VerifiedCopy.TempSuffix);
            if (r.State == ReplicaState.Available) expected.Add(new PlacedReplica(r.Scope, r.Name, path, r.Bytes, r.Adler32, r.Md5));
        }
        return (expected, known);
    }

    private static async Task<List<string>> ListStorageAsync(RseEndpoint endpoint, CancellationToken ct)
    {
        var root = PfnParts.Parse(endpoint.Pfn("")).Path;
        var paths = new List<string>();
        await foreach (var pfn in endpoint.Backend.ListAsync(endpoint.Pfn(""), ct))
        {
            var path = PfnParts.Parse(pfn).Path;
            if (path.StartsWith(root, StringComparison.Ordinal) && path.Length > root.Length) paths.Add(path[root.Length..]);
        }
        return paths;
    }

    /// <summary>A random sample of present replicas, at most <see cref="CheckRequest.ChecksPerSecond"/> a second: size, and the storage's own checksum where it has one.</summary>
    private async Task<(List<CheckedFile>, int)> SampleAsync(RseEndpoint endpoint, IReadOnlyList<PlacedReplica> present, CheckRequest req, List<string> errors, CancellationToken ct)
    {
        var sample = present.OrderBy(_ => random.Next()).Take(Math.Max(0, req.Sample)).ToList();
        var mismatched = new List<CheckedFile>();
        var gap = req.ChecksPerSecond > 0 ? TimeSpan.FromSeconds(1 / req.ChecksPerSecond) : TimeSpan.Zero;
        foreach (var r in sample)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var pfn = endpoint.Pfn(r.Path);
            var expected = (endpoint.Backend as IServerSideChecksum)?.Algorithm == "md5" ? r.Md5 : r.Adler32;
            var inspected = await Try(async () => await VerifiedCopy.InspectAsync(endpoint.Backend, pfn, withChecksum: expected is not null, ct), r.Path, errors);
            if (inspected is var (bytes, checksum))
            {
                var problem = bytes is null ? null
                    : bytes != r.Bytes ? $"{bytes} bytes on storage, {r.Bytes} in the catalogue"
                    : checksum is not null && expected is not null && !string.Equals(checksum.Value, expected, StringComparison.OrdinalIgnoreCase)
                        ? $"{checksum.Algorithm} {checksum.Value} on storage, {expected} in the catalogue" : null;
                if (problem is not null) mismatched.Add(new CheckedFile(r.Path, $"{r.Scope}:{r.Name}", problem));
            }
            // Paced on the monotonic clock: a wall-clock step must not stall or rush the checks.
            var wait = gap - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
        }
        return (mismatched, sample.Count);
    }

    /// <summary>Dark files go only if the catalogue, read again now, still has no row for them (an upload may have registered one meanwhile).</summary>
    private async Task<int> DeleteDarkAsync(string rseName, List<CheckedFile> dark, List<string> errors, CancellationToken ct)
    {
        if (dark.Count == 0) return 0;
        var rse = await rses.GetAsync(rseName);
        var endpoint = await storage.OpenAsync(rse.Id, StorageOperation.Delete);
        var (_, knownNow) = Expectation(await listing.ListAsync(rseName, ct, withDatasets: false));
        var deleted = 0;
        await ForEach(dark.Where(d => !knownNow.Contains(d.Path)).ToList(), async (d, t) =>
        {
            if (await Try(async () => { await endpoint.Backend.DeleteAsync(endpoint.Pfn(d.Path), t); return true; }, d.Path, errors))
                Interlocked.Increment(ref deleted);
        }, ct);
        return deleted;
    }

    private static Task ForEach<T>(IEnumerable<T> items, Func<T, CancellationToken, ValueTask> body, CancellationToken ct) =>
        System.Threading.Tasks.Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct }, body);

    private static async Task<T?> Try<T>(Func<Task<T>> work, string path, List<string> errors)
    {
        try { return await work(); }
        catch (StorageException e)
        {
            lock (errors) errors.Add($"{path}: {e.Message}");
            return default;
        }
    }

    private static List<CheckedFile> Sorted(IEnumerable<CheckedFile> files) => files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
}
