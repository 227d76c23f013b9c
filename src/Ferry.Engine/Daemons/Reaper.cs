using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Engine.Storage;
using Ferry.Storage.Verification;
using Microsoft.Extensions.Logging;

namespace Ferry.Engine.Daemons;

/// <summary>Deletes tombstoned, unlocked replicas: bytes on storage first, then the catalogue row.</summary>
public sealed class Reaper(DeletionQueue queue, RseCatalog rses, RseStorage storage, EngineOptions options, TimeProvider clock, ILogger<Reaper> logger)
    : DaemonLoop(clock, logger, options.ReaperIdle)
{
    protected override async Task<int> RoundAsync(CancellationToken ct)
    {
        var done = 0;
        foreach (var rse in await rses.ListAsync())
        {
            if (!rse.AvailabilityDelete) continue;
            // One unreachable storage must not hold up deletion everywhere else: its replicas wait for the next round.
            try { done += await ReapAsync(rse, ct); }
            catch (Exception e) when (e is IOException or FerryException && !ct.IsCancellationRequested)
            {
                Logger.LogWarning("Deletion on {Rse} failed, retried next round: {Error}", rse.Name, e.Message);
                Telemetry.EngineMetrics.DeletionFailures.Add(1, new KeyValuePair<string, object?>("rse", rse.Name));
            }
        }
        return done;
    }

    private async Task<int> ReapAsync(Core.Model.Rse rse, CancellationToken ct)
    {
        var endpoint = await storage.OpenAsync(rse.Id, StorageOperation.Delete);
        await RecordFreeSpaceAsync(rse, endpoint, ct);
        // A cache RSE with room keeps what is merely unneeded, but replicas a rule purged (tombstone at the epoch) go at once.
        var purgedOnly = !await ShouldDelete(rse, endpoint, ct);
        var batch = await queue.ClaimAsync(rse.Id, 200, purgedOnly);
        var done = 0;
        foreach (var d in batch)
        {
            if (d.Path is not null)
            {
                var pfn = endpoint.Pfn(d.Path);
                await endpoint.Backend.DeleteAsync(pfn + VerifiedCopy.TempSuffix, ct);
                await endpoint.Backend.DeleteAsync(pfn, ct);
            }
            await queue.FinishAsync(d);
            Telemetry.EngineMetrics.Deletions.Add(1, new KeyValuePair<string, object?>("rse", rse.Name));
            done++;
        }
        if (done > 0) Logger.LogInformation("Deleted {Count} replica(s) from {Rse}", done, rse.Name);
        return done;
    }

    private readonly Dictionary<string, DateTimeOffset> _spaceRecorded = [];

    /// <summary>
    /// The reaper is the daemon that asks storage about space, so it also records what the storage reports for rule
    /// placement to use; once a minute per RSE is plenty.
    /// </summary>
    private async Task RecordFreeSpaceAsync(Core.Model.Rse rse, RseEndpoint endpoint, CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        if (_spaceRecorded.TryGetValue(rse.Id, out var last) && now - last < TimeSpan.FromMinutes(1)) return;
        if (endpoint.Backend is not Ferry.Storage.IFreeSpace space || await space.FreeBytesAsync(ct) is not { } free) return;
        await rses.RecordFreeSpaceAsync(rse.Id, free);
        _spaceRecorded[rse.Id] = now;
    }

    /// <summary>
    /// Greedy by default: anything tombstoned goes at once. An RSE with a MinFreeSpace limit and without the
    /// greedyDeletion attribute keeps its unneeded replicas as a cache and deletes only while free space is below it.
    /// </summary>
    private async Task<bool> ShouldDelete(Core.Model.Rse rse, RseEndpoint endpoint, CancellationToken ct)
    {
        var limits = await rses.LimitsAsync(rse.Id);
        if (!limits.TryGetValue("MinFreeSpace", out var minFree)) return true;
        var attrs = await rses.AttributesAsync(rse.Name);
        if (attrs.TryGetValue("greedyDeletion", out var greedy) && greedy == "true") return true;
        if (endpoint.Backend is not Ferry.Storage.IFreeSpace space || await space.FreeBytesAsync(ct) is not { } free) return true;
        return free < minFree;
    }
}
