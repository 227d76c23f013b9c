using Ferry.Client.Http;
using Ferry.Core.Identifiers;
using Ferry.Core.Sync;

namespace Ferry.Client.Sync;

/// <summary>Membership: files that moved between datasets on the source, or out of every dataset, move on the target too.</summary>
public sealed partial class ReplicaSync
{
    private static readonly TimeSpan HoldPoll = TimeSpan.FromSeconds(1);
    private const int HoldPolls = 30;

    /// <summary>Attaches the files to the dataset they joined (made if need be, with a rule on the RSE); for the null dataset, each file gets a rule of its own.</summary>
    private async Task AttachMovedAsync(DatasetDiff d, string? account, CancellationToken ct)
    {
        var dataset = await EnsureDatasetAsync(d.Dataset, ct);
        foreach (var chunk in d.Attach.Chunk(ChunkSize)) await AttachAsync(dataset, chunk, ct);
        await EnsureRulesAsync(dataset, d.Attach, account, ct);
    }

    /// <summary>
    /// Detaches files from the datasets they left (for the null dataset: drops their own rules on the RSE). A moved file
    /// is let go only once a rule of where it is now locks it on the RSE: the reaper takes an unlocked replica at once,
    /// and the new dataset's rule locks an attached file only when the judge next evaluates it. A file not locked in
    /// time stays where it was too, and the next sync lets it go.
    /// </summary>
    private async Task DetachMovedAsync(RseDiff diff, SyncReport report, CancellationToken ct)
    {
        if (!diff.Datasets.Any(d => d.Detach.Count > 0)) return;
        var moved = diff.Moves.ToDictionary(m => m.File.Did, StringComparer.Ordinal);
        var held = await WaitHeldAsync(diff.Moves, ct);
        foreach (var d in diff.Datasets.Where(d => d.Detach.Count > 0))
        {
            // Files not in the source at all are extra: they go without waiting.
            var go = d.Detach.Where(f => !moved.ContainsKey(f.Did) || held.Contains(f.Did)).ToList();
            foreach (var f in d.Detach.Where(f => !go.Contains(f)))
                report.Notes.Add($"{f.Did} left in {d.Dataset ?? "its own rule"} for now: {moved[f.Did].To.FirstOrDefault() ?? "its own rule"} does not lock it on {options.Rse} yet (the next sync lets it go)");
            if (d.Dataset is { } text) await DetachAsync(DidRef.Parse(text), go, ct);
            else foreach (var f in go) await DropRulesAsync(new DidRef(f.Scope, f.Name), ct);
        }
    }

    /// <summary>The moved files a rule of one of their new datasets (or their own rule, for a file in no dataset) locks on the RSE.</summary>
    private async Task<HashSet<string>> WaitHeldAsync(IReadOnlyList<MovedFile> moves, CancellationToken ct)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        var byHolder = moves.SelectMany(m => (m.To.Count == 0 ? [m.File.Did] : m.To).Select(h => (Holder: h, m.File.Did)))
            .GroupBy(x => x.Holder, x => x.Did, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        for (var poll = 0; ; poll++)
        {
            foreach (var (holder, files) in byHolder.Where(g => !g.Value.IsSubsetOf(held)))
                foreach (var rule in await RulesHereAsync(DidRef.Parse(holder), ct))
                    foreach (var l in await target.RuleLocksAsync(rule.Id, ct))
                        if (l.Rse == options.Rse && files.Contains($"{l.Scope}:{l.Name}")) held.Add($"{l.Scope}:{l.Name}");
            if (held.Count == moves.Count || poll >= HoldPolls) return held;
            await Task.Delay(HoldPoll, ct);
        }
    }

    /// <summary>Detaches in chunks; a chunk that meets a file already gone (a retry after a lost answer) goes one by one.</summary>
    private async Task DetachAsync(DidRef dataset, IReadOnlyList<CatalogueEntry> files, CancellationToken ct)
    {
        foreach (var chunk in files.Chunk(ChunkSize))
        {
            try { await SyncRetry.RunAsync(() => target.DetachAsync(dataset, chunk.Select(f => new DidRef(f.Scope, f.Name)), ct), ct); }
            catch (FerryApiException e) when (e.ExceptionClass == "DataIdentifierNotFound")
            {
                foreach (var f in chunk) await Tolerate(() => target.DetachAsync(dataset, [new DidRef(f.Scope, f.Name)], ct), "DataIdentifierNotFound");
            }
        }
    }
}
