using System.Collections.Concurrent;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Transfers;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Engine.Storage;
using Ferry.Engine.Telemetry;
using Ferry.Storage;
using Ferry.Storage.Verification;
using Microsoft.Extensions.Logging;

namespace Ferry.Engine.Daemons;

/// <summary>
/// Moves bytes for queued transfer requests: nearest readable source first, streamed into a temporary name at the
/// destination while checksumming, renamed only when the checksum matches the catalogue, then recorded as AVAILABLE.
/// A source on a TAPE RSE with a staging buffer is first staged to the buffer (see <see cref="StageAsync"/>).
/// </summary>
public sealed class Conveyor(TransferCatalog transfers, ReplicaCatalog replicas, RseStorage storage, Catalog.Rses.RseCatalog rses, StagingCatalog staging,
    EngineOptions options, TimeProvider clock, ILogger<Conveyor> logger)
    : DaemonLoop(clock, logger, options.ConveyorIdle)
{
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    // Many conveyors may share the catalogue, so a starting one frees only the leases of dead conveyors on this machine
    // (owner "machine:pid:…" with no such process); other machines' leases are taken over when they run out.
    protected override async Task StartupAsync(CancellationToken ct)
    {
        var dead = (await transfers.LeaseOwnersAsync()).Where(LeaseOwner.IsDeadOnThisMachine).ToList();
        var n = await transfers.ReleaseLeasesAsync(dead);
        if (n > 0) Logger.LogInformation("Released {Count} transfer leases of {Owners} stopped conveyors on this machine", n, dead.Count);
    }
    private readonly ConcurrentDictionary<(string, string), SemaphoreSlim> _links = new();


    protected override async Task<int> RoundAsync(CancellationToken ct)
    {
        var batch = await transfers.ClaimAsync(_owner, options.ConveyorParallelism * 4);
        if (batch.Count == 0) return 0;
        // A request still SUBMITTED when claimed was held by a conveyor whose lease ran out (it died or hung).
        if (batch.Count(r => r.State == RequestState.Submitted) is > 0 and var takenOver)
            Logger.LogInformation("Took over {Count} transfer(s) whose lease ran out", takenOver);
        var perDestination = batch.GroupBy(r => r.DestRseId).ToDictionary(g => g.Key, _ => new SemaphoreSlim(options.PerDestinationLimit));
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = options.ConveyorParallelism, CancellationToken = ct }, async (r, token) =>
        {
            var gate = perDestination[r.DestRseId];
            await gate.WaitAsync(token);
            try { await TransferAsync(r, token); }
            finally { gate.Release(); }
        });
        return batch.Count;
    }

    private async Task TransferAsync(TransferRequest r, CancellationToken ct)
    {
        var sources = await transfers.SourcesAsync(r);
        if (sources.Count == 0)
        {
            await transfers.FailAsync(r, "no AVAILABLE source replica on a readable RSE", permanent: true, null);
            return;
        }
        string? lastError = null;
        var permanent = false;
        string? lastSource = null;
        var destination = (await rses.FindByIdAsync(r.DestRseId))?.Name ?? r.DestRseId;
        using var renew = new CancellationTokenSource();
        var renewal = RenewWhileRunning(r.Id, renew.Token);
        try
        {
            foreach (var source in sources)
            {
                lastSource = source.RseId;
                var link = _links.GetOrAdd((source.RseId, r.DestRseId), _ => new SemaphoreSlim(options.PerLinkLimit));
                await link.WaitAsync(ct);
                var linkTags = EngineMetrics.Link(source.Rse, destination);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var outcome = "failed";
                TransferSource? readFrom = null;
                try
                {
                    var expected = new ExpectedChecksums(r.Bytes, r.Adler32, r.Md5);
                    readFrom = source.RseType == "TAPE" ? await StageAsync(r, source, expected, ct) ?? source : source;
                    var from = await storage.OpenAsync(readFrom.RseId, StorageOperation.Read);
                    var to = await storage.OpenAsync(r.DestRseId, StorageOperation.Write);
                    var path = readFrom.Path ?? Core.Paths.Lfn2Pfn.Hash(r.Scope, r.Name);
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(options.TransferTimeout(r.Bytes));
                    try
                    {
                        await using var input = new MeteredStream(await from.Backend.OpenReadAsync(from.Pfn(path), 0, timeout.Token),
                            n => EngineMetrics.TransferBytes.Add(n, linkTags));
                        await VerifiedCopy.WriteAsync(input, to.Backend, to.Pfn(Core.Paths.Lfn2Pfn.Hash(r.Scope, r.Name)), expected, computeMd5: false, null, timeout.Token);
                        if ((await rses.FindByIdAsync(r.DestRseId))?.RseType == "TAPE")
                            await ReadBackAsync(r, to, to.Pfn(Core.Paths.Lfn2Pfn.Hash(r.Scope, r.Name)), expected, timeout.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        throw new StorageException($"no completion within {options.TransferTimeout(r.Bytes).TotalSeconds:F0} s", permanent: false);
                    }
                    outcome = "done";
                    if (!await transfers.CompleteAsync(r, readFrom.RseId))
                        Logger.LogInformation("Transfer of {Scope}:{Name} finished after it was cancelled; the reaper removes the copy", r.Scope, r.Name);
                    else Logger.LogInformation("Transferred {Scope}:{Name} from {Source} ({Bytes} bytes)", r.Scope, r.Name, source.Rse, r.Bytes);
                    return;
                }
                catch (FerryException e) when (e.ExceptionClass == "FileConsistencyMismatch" && !ct.IsCancellationRequested)
                {
                    // The bytes were checksummed as they left the source: the source copy is corrupt, not the link.
                    // It is declared BAD (and so recovered) only when a good copy exists to recover it from;
                    // the last copy stays as it is, for a person to look at.
                    // A staged copy read back wrong is the buffer's fault, not the tape's (staging verified the tape's bytes).
                    var corrupt = readFrom ?? source;
                    lastError = $"source {corrupt.Rse} is corrupt: {e.Message}";
                    if (sources.Count > 1 || corrupt != source)
                    {
                        Logger.LogWarning("Source replica of {Scope}:{Name} on {Source} is corrupt, declared BAD: {Error}", r.Scope, r.Name, corrupt.Rse, e.Message);
                        await replicas.DeclareBadAsync([(r.Scope, r.Name, corrupt.Rse)], "conveyor: " + e.Message);
                    }
                    else Logger.LogWarning("The only source of {Scope}:{Name}, on {Source}, is corrupt: {Error}", r.Scope, r.Name, corrupt.Rse, e.Message);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FerryException && !ct.IsCancellationRequested)
                {
                    lastError = $"{source.Rse} -> destination: {e.Message}";
                    permanent = e is StorageException { Permanent: true } or FerryException { ExceptionClass: "RSEProtocolNotSupported" or "InvalidPath" };
                    Logger.LogWarning("Transfer of {Scope}:{Name} from {Source} failed: {Error}", r.Scope, r.Name, source.Rse, e.Message);
                }
                finally
                {
                    link.Release();
                    var ended = EngineMetrics.Link(source.Rse, destination);
                    ended.Add("outcome", outcome);
                    EngineMetrics.Transfers.Add(1, ended);
                    EngineMetrics.TransferDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, ended);
                }
            }
        }
        finally
        {
            await renew.CancelAsync();
            await renewal;
        }
        await transfers.FailAsync(r, lastError ?? "unknown error", permanent, lastSource);
    }

    /// <summary>
    /// Tape gives no checksum of its own and a write can be acknowledged before it is on the medium, so a copy to a
    /// TAPE RSE counts only after its bytes were read back and matched. A mismatch is the destination's fault (the
    /// source was checksummed as it was read), so it is a transient storage error, retried, never a BAD source.
    /// </summary>
    private async Task ReadBackAsync(TransferRequest r, RseEndpoint to, string pfn, ExpectedChecksums expected, CancellationToken ct)
    {
        Checksums read;
        await using (var back = await to.Backend.OpenReadAsync(pfn, 0, ct))
            read = await VerifiedCopy.CopyAsync(back, Stream.Null, computeMd5: false, null, ct);
        try { VerifiedCopy.Verify("tape read-back", read, expected); }
        catch (FerryException e) { throw new StorageException($"read back from tape differs: {e.Message}", permanent: false); }
        Logger.LogInformation("Read back {Scope}:{Name} from tape: {Bytes} bytes, adler32 {Adler32} as catalogued", r.Scope, r.Name, read.Bytes, read.Adler32);
    }

    /// <summary>
    /// Reads from tape go through the TAPE RSE's staging buffer (a DISK RSE): the file is copied there with the same
    /// verified copy as any transfer (temporary name, checksum, rename), registered AVAILABLE with a tombstone
    /// <see cref="EngineOptions.StagingLifetime"/> ahead (the reaper removes it later), and the transfer then reads the
    /// buffer. All of it runs under the request's lease, so a kill mid-staging leaves a temporary file and a request
    /// that is claimed again; bytes renamed but not yet registered are simply staged again over themselves. A buffer
    /// that already has the file (an earlier attempt, or another transfer) is read at once. Returns null, meaning
    /// "read the tape directly", when the RSE names no buffer, the buffer is the destination itself, or a rule's copy
    /// to the buffer is in flight.
    /// </summary>
    private async Task<TransferSource?> StageAsync(TransferRequest r, TransferSource tape, ExpectedChecksums expected, CancellationToken ct)
    {
        if (await staging.BufferAsync(tape.RseId) is not { } buffer || buffer.Id == r.DestRseId) return null;
        var hashPath = Core.Paths.Lfn2Pfn.Hash(r.Scope, r.Name);
        var staged = new TransferSource { RseId = buffer.Id, Rse = buffer.Name, Path = hashPath };
        switch (await staging.StateAsync(r.Scope, r.Name, buffer.Id))
        {
            case StagedState.Available: return staged;
            case StagedState.Busy: return null;
        }
        var from = await storage.OpenAsync(tape.RseId, StorageOperation.Read);
        var to = await storage.OpenAsync(buffer.Id, StorageOperation.Write);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.TransferTimeout(r.Bytes));
        Checksums copied;
        try
        {
            await using var input = await from.Backend.OpenReadAsync(from.Pfn(tape.Path ?? hashPath), 0, timeout.Token);
            copied = await VerifiedCopy.WriteAsync(input, to.Backend, to.Pfn(hashPath), expected, computeMd5: false, null, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new StorageException($"staging from {tape.Rse} to {buffer.Name}: no completion within {options.TransferTimeout(r.Bytes).TotalSeconds:F0} s", permanent: false);
        }
        if (await staging.RegisterAsync(r.Scope, r.Name, copied.Bytes, buffer.Id, options.StagingLifetime) != StagedState.Available) return null;
        Logger.LogInformation("Staged {Scope}:{Name} from tape {Tape} to buffer {Buffer}: {Bytes} bytes, adler32 {Adler32} verified",
            r.Scope, r.Name, tape.Rse, buffer.Name, copied.Bytes, copied.Adler32);
        return staged;
    }

    private async Task RenewWhileRunning(string id, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(transfers.Lease / 3, Clock, ct);
                await transfers.RenewAsync(id, _owner);
            }
        }
        catch (OperationCanceledException) { }
    }
}
