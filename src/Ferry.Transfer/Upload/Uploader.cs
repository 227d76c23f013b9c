using System.Text.Json;
using System.Threading.Channels;
using Ferry.Client.Http;
using Ferry.Core.Configuration;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Paths;
using Ferry.Storage.Verification;
using Polly;

namespace Ferry.Transfer.Upload;

/// <summary>
/// Bulk upload. For a catalogue of local files: one bulk look-up of what the catalogue already knows; permission and
/// quota checked before any byte moves; files copied in parallel streams with adler32 (and md5 on request) computed in
/// the same pass (<see cref="VerifiedCopy"/>: temporary name, verify, rename); replicas registered AVAILABLE in bulk
/// only once their bytes are on the RSE (the server verifies them), then attached, ruled and given metadata in bulk,
/// while later files are still copying. Every outcome goes to an append-only journal as it happens, so a rerun of the
/// same command resumes: files registered with the same size and adler32 are skipped, bytes that landed without a
/// replica are adopted when their checksum matches (or rewritten), and a file the catalogue knows with other
/// checksums fails rather than being overwritten.
/// </summary>
/// <param name="clock">Stamps the journal and the report; the system clock unless a test gives its own.</param>
public sealed partial class Uploader(FerryClient client, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private sealed record Known(long? Bytes, string? Adler32, IReadOnlyDictionary<string, string> States);

    /// <summary>A file whose bytes are on the RSE (or were already registered), waiting for registration and attachment.</summary>
    private sealed record Ready(FileOutcome File, bool AlreadyRegistered, bool ReplicaRowExists);

    private readonly ResiliencePipeline _retry = UploadErrors.Pipeline(RetriesFromEnvironment());
    private UploadOptions _o = null!;
    private ClientEndpoint _endpoint = null!;
    private UploadJournal? _journal;
    private IProgress<TransferProgress>? _progress;
    private int _doneFiles;
    private long _doneBytes;
    private readonly List<string> _warnings = [];
    private readonly List<string> _errors = [];

    // Read when the uploader is made, so a malformed value stops the upload before any copy starts.
    private readonly int _registrars = FerryEnvironment.Process.Int("FERRY_UPLOAD_REGISTRARS", 3);

    private static int RetriesFromEnvironment() => FerryEnvironment.Process.Int("FERRY_UPLOAD_RETRIES", 5, min: 0);

    public async Task<UploadReport> RunAsync(IReadOnlyList<CatalogueEntry> entries, UploadOptions options, IProgress<TransferProgress>? progress = null, CancellationToken ct = default)
    {
        var started = _clock.GetUtcNow();
        var outcomes = entries.Select(e => new FileOutcome(e)).ToList();
        _o = options with { BatchSize = Math.Clamp(options.BatchSize, 1, 1000), Parallel = Math.Max(1, options.Parallel) };
        _progress = progress;
        var interrupted = false;
        try
        {
            if (outcomes.Count > 0) await RunCoreAsync(outcomes, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { interrupted = true; }
        catch (Exception e) when (e is FerryException or HttpRequestException or IOException or UnauthorizedAccessException)
        {
            // Unfinished files stay PENDING and the summary is still written; the rerun resumes.
            _errors.Add($"the upload stopped: {UploadErrors.Describe(e)}");
        }
        finally { _journal?.Dispose(); }
        return new UploadReport(outcomes, started, _clock.GetUtcNow(), interrupted, _warnings, _errors);
    }

    private readonly PhaseTimer _timing = new();

    private async Task RunCoreAsync(List<FileOutcome> outcomes, CancellationToken ct)
    {
        var timing = _timing;
        var scope = outcomes[0].Entry.Did.Scope;
        if (!await PreflightRseAsync(outcomes, ct)) return;
        var account = client.Account ?? (await client.WhoamiAsync(ct)).Account;
        var admin = await IsAdminAsync(account, ct);
        if (!await PreflightScopeAsync(outcomes, scope, account, admin, ct)) return;

        var previous = _o.JournalPath is { } jp ? UploadJournal.Load(jp) : [];
        var inCatalogue = outcomes.Select(o => o.Entry.LocalPath).ToHashSet(StringComparer.Ordinal);
        // Bytes an earlier run wrote for files no longer in this catalogue: looked up too, to be cleaned up.
        var strays = previous.Values.Where(r => r.Event is "copying" or "copied" && r.Rse == _o.WriteRse && !inCatalogue.Contains(r.Path!) && r.Scope is not null && r.Name is not null).ToList();
        var known = await ExistingAsync(outcomes.Select(o => o.Entry.Did).Concat(strays.Select(s => new DidRef(s.Scope!, s.Name!))).Distinct().ToList(), ct);
        timing.Mark("lookup");

        var toVerify = new List<FileOutcome>();
        var toCopy = new List<FileOutcome>();
        var present = new List<FileOutcome>();
        foreach (var f in outcomes)
        {
            var e = f.Entry;
            f.Rse = _o.WriteRse;
            f.Pfn = _endpoint.Pfn(Lfn2Pfn.Hash(e.Did.Scope, e.Did.Name));
            known.TryGetValue(e.Did, out var k);
            var availableOn = k is null ? null : new[] { _o.WriteRse, _o.Rse }.FirstOrDefault(r => k.States.GetValueOrDefault(r) == "AVAILABLE");
            if (availableOn is not null)
            {
                f.Rse = availableOn;
                if (availableOn != _o.WriteRse) f.Pfn = null;
                previous.TryGetValue(e.LocalPath, out var p);
                if (p is { Event: "done", Status: "UPLOADED" or "ALREADY_PRESENT" } && p.Describes(e) && p.Adler32 is not null && string.Equals(p.Adler32, k!.Adler32, StringComparison.OrdinalIgnoreCase))
                {
                    (f.Status, f.Adler32, f.Md5) = (UploadStatus.AlreadyPresent, k.Adler32, p.Md5);
                    present.Add(f);
                }
                else toVerify.Add(f);
            }
            else toCopy.Add(f);
        }
        if (!admin) await PreflightQuotaAsync(toCopy, account, ct);
        await ServerPfnsAsync(toCopy.Concat(toVerify).Where(f => f.Pfn is not null).ToList(), ct);
        if (_o.DryRun)
        {
            // Nothing is read in a dry run: a file the catalogue has on the RSE counts as present without comparing checksums.
            foreach (var f in toVerify) (f.Status, f.Adler32) = (UploadStatus.AlreadyPresent, known[f.Entry.Did].Adler32);
            foreach (var f in toCopy.Where(f => f.Status == UploadStatus.Pending)) f.Status = UploadStatus.Planned;
            return;
        }

        _journal = UploadJournal.Open(_o.JournalPath ?? throw new InvalidOperationException("a journal path is required"), _clock);
        _journal.Append(new JournalRecord { Event = "run", Rse = _o.WriteRse, Scope = scope });
        await CleanUpStraysAsync(strays.Concat(toCopy.Where(f => f.Status == UploadStatus.Failed).Select(f => previous.GetValueOrDefault(f.Entry.LocalPath))
            .Where(r => r is { Event: "copying" or "copied" } && r.Rse == _o.WriteRse).Select(r => r!)), known, ct);
        foreach (var f in toCopy.Where(f => f.Status == UploadStatus.Failed)) Done(f);
        toCopy.RemoveAll(f => f.Status == UploadStatus.Failed);
        if (toCopy.Count + toVerify.Count + present.Count == 0) return;

        if (!await EnsureCollectionsAsync(outcomes, ct)) return;
        var ruled = _o.Dataset is null && known.Count > 0 ? await RuledAsync(account, ct) : new Dictionary<string, HashSet<DidRef>>();
        timing.Mark("prepare");

        var ready = Channel.CreateBounded<Ready>(new BoundedChannelOptions(4 * _o.BatchSize));
        // Copies stop if the registrars die, rather than wait forever for room in the channel.
        using var copiesStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Several registrars: the server verifies one batch's bytes while it writes another's rows.
        var registrars = Task.WhenAll(Enumerable.Range(0, _registrars).Select(_ => Task.Run(async () =>
        {
            try { await RegisterLoopAsync(ready.Reader, ruled, ct); }
            catch { await copiesStop.CancelAsync(); throw; }
        }, ct)));
        try
        {
            foreach (var f in present) await ready.Writer.WriteAsync(new Ready(f, AlreadyRegistered: true, ReplicaRowExists: true), copiesStop.Token);
            var work = toVerify.Select(f => (f, verify: true)).Concat(toCopy.Select(f => (f, verify: false))).ToList();
            await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = _o.Parallel, CancellationToken = copiesStop.Token }, async (w, token) =>
            {
                known.TryGetValue(w.f.Entry.Did, out var k);
                var r = w.verify ? await VerifyPresentAsync(w.f, k!, token) : await CopyAsync(w.f, k, previous.GetValueOrDefault(w.f.Entry.LocalPath), token);
                if (r is not null) await ready.Writer.WriteAsync(r, token);
            });
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { /* the registrars failed: their error follows */ }
        finally
        {
            ready.Writer.TryComplete();
            // Never leave registrars running behind the caller's back (they write the journal and the outcomes).
            await registrars.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        await registrars;
        timing.Mark("copy+register");
        await FinishCollectionsAsync(account, outcomes, ct);
        timing.Mark("collections");
        timing.Report();
    }

    private void Report(long bytes) =>
        _progress?.Report(new TransferProgress(Interlocked.Increment(ref _doneFiles), Interlocked.Add(ref _doneBytes, bytes)));

    private void Done(FileOutcome f) => _journal?.Append(DoneRecord(f));

    private static JournalRecord DoneRecord(FileOutcome f) => new()
    {
        Event = "done", Path = f.Entry.LocalPath, Scope = f.Entry.Did.Scope, Name = f.Entry.Did.Name, Bytes = f.Entry.Bytes, MTimeMs = f.Entry.MTimeMs,
        Adler32 = f.Adler32, Md5 = f.Md5, Rse = f.Rse, Pfn = f.Pfn, Status = UploadSummary.StatusName(f.Status), Error = f.Error, Attempts = f.Attempts,
    };

    private JournalRecord Progressed(FileOutcome f, string evt, Checksums? sums = null) => new()
    {
        Event = evt, Path = f.Entry.LocalPath, Scope = f.Entry.Did.Scope, Name = f.Entry.Did.Name, Bytes = f.Entry.Bytes, MTimeMs = f.Entry.MTimeMs,
        Adler32 = sums?.Adler32, Md5 = sums?.Md5, Rse = _o.WriteRse, Pfn = f.Pfn, Attempts = f.Attempts,
    };

    private void Warn(string warning)
    {
        lock (_warnings) _warnings.Add(warning);
    }

    private static void FailAll(IEnumerable<FileOutcome> files, ErrorKind kind, string error)
    {
        foreach (var f in files.Where(f => f.Status == UploadStatus.Pending)) f.Fail(kind, error);
    }

    /// <summary>Which of the DIDs the catalogue already knows, with their checksum and replica states per RSE.</summary>
    private async Task<Dictionary<DidRef, Known>> ExistingAsync(IReadOnlyList<DidRef> dids, CancellationToken ct)
    {
        var known = new Dictionary<DidRef, Known>();
        foreach (var chunk in dids.Chunk(_o.BatchSize))
        {
            var body = new System.Text.Json.Nodes.JsonObject { ["dids"] = FerryClient.DidArray(chunk), ["inherit"] = false, ["plugin"] = "DID_COLUMN" };
            var found = (await _retry.ExecuteAsync(async t => await client.ListAsync(HttpMethod.Post, "dids/bulkmeta", Ferry.Core.Dialect.DialectJson.Default.RucioDidColumns, body.DeepClone(), t), ct))
                .Select(m => new DidRef(m.Scope, m.Name)).ToList();
            if (found.Count == 0) continue;
            foreach (var r in await _retry.ExecuteAsync(async t => await client.ListReplicasAsync(found, allStates: true, ct: t), ct))
                known[new DidRef(r.Scope, r.Name)] = new Known(r.Bytes, r.Adler32, r.States ?? new Dictionary<string, string>());
        }
        return known;
    }

    /// <summary>Deletes bytes earlier runs left on the RSE for files that have no replica there and will not be copied now.</summary>
    private async Task CleanUpStraysAsync(IEnumerable<JournalRecord> strays, Dictionary<DidRef, Known> known, CancellationToken ct)
    {
        foreach (var s in strays)
        {
            if (s.Pfn is null || s.Scope is null || s.Name is null) continue;
            if (known.TryGetValue(new DidRef(s.Scope, s.Name), out var k) && k.States.ContainsKey(_o.WriteRse)) continue;
            foreach (var pfn in new[] { s.Pfn + VerifiedCopy.TempSuffix, s.Pfn })
            {
                try { await _endpoint.Backend.DeleteAsync(pfn, ct); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Warn($"could not clean up {pfn}: {e.Message}"); }
            }
        }
    }
}
