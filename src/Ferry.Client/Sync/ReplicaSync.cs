using System.Text.Json.Nodes;
using Ferry.Client.Http;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Sync;

namespace Ferry.Client.Sync;

public sealed record ReplicaSyncOptions(string Rse, int Chunk = 500, bool AllowClean = false, bool Submit = false, string? Account = null);

/// <summary>
/// Brings the target's replicas of one RSE in line with the source's, dataset by dataset. Missing files get their
/// scope, dataset (and the source's containers of it), replica, attachment and a rule on the RSE, each step safe to
/// repeat; files that moved between datasets (or out of every dataset) on the source are attached to their new ones
/// and then detached from the old; extra files are detached from their dataset in chunks (the rule then releases them
/// and the reaper removes them); files whose size or checksum differ are reported, never overwritten. Everything the
/// target holds on the RSE going at once is refused without AllowClean. Without Submit nothing changes.
/// </summary>
public sealed partial class ReplicaSync(ISyncSource source, FerryClient target, ReplicaSyncOptions options)
{
    public async Task<(RseDiff Diff, SyncReport Report)> RunAsync(CancellationToken ct)
    {
        var report = new SyncReport { DryRun = !options.Submit };
        var theirs = await source.ReplicasAsync(options.Rse, ct);
        await target.GetRseAsync(options.Rse, ct);                 // an RSE the target lacks: RSENotFound before anything else
        var ours = new List<CatalogueEntry>();
        await foreach (var r in target.RseReplicasAsync(options.Rse, ct))
            ours.AddRange(ServerSource.Entries(r));
        var diff = ReplicaDiff.Compute(theirs, ours);
        if (diff.WouldRemoveEverything && !options.AllowClean)
            throw new FerryException("SyncGuard", 409,
                $"{source.Describe} has {diff.SourceFiles} replica(s) on {options.Rse} and the sync would remove all {diff.TargetFiles} the target holds there; " +
                "a source that lost its catalogue looks like this. Nothing was changed (--allow-clean removes them)");
        foreach (var d in diff.Datasets)
        {
            var label = d.Dataset ?? "(no dataset)";
            var moves = d.Attach.Count + d.Detach.Count > 0 ? $", {d.Attach.Count} moved in, {d.Detach.Count} moved out" : "";
            report.Change($"{label}: {d.Missing.Count} missing, {d.Extra.Count} extra, {d.Changed.Count} changed{moves}");
            foreach (var c in d.Changed) report.Notes.Add($"changed {c.Source.Did}: {c.What} (reported, not overwritten)");
        }
        foreach (var m in diff.Moves) report.Notes.Add($"moved {m}");
        if (!options.Submit) return (diff, report);

        var account = options.Account ?? await DefaultAccountAsync(ct);
        await EnsureScopesAsync(diff, ct);
        foreach (var d in diff.Datasets.Where(d => d.Missing.Count > 0)) await AddMissingAsync(d, account, ct);
        foreach (var d in diff.Datasets.Where(d => d.Attach.Count > 0)) await AttachMovedAsync(d, account, ct);
        // A partial listing (Rucio's, dataset by dataset) cannot tell a file the source lacks from one it did not list.
        if (source is ServerSource { Partial: true })
        {
            if (diff.Extra > 0) report.Notes.Add($"{diff.Extra} extra file(s) left in place: {source.Describe} was read dataset by dataset, so its listing may be incomplete");
            if (diff.Datasets.Any(d => d.Detach.Count > 0)) report.Notes.Add($"files left in their old datasets too: {source.Describe} was read dataset by dataset, so it may not have listed every dataset of a file");
            return (diff, report);
        }
        await DetachMovedAsync(diff, report, ct);
        foreach (var d in diff.Datasets.Where(d => d.Extra.Count > 0)) await RemoveExtraAsync(d, theirs, ct);
        return (diff, report);
    }

    /// <summary>The per-RSE account `ferry sync accounts` made, when it exists; otherwise the caller.</summary>
    private async Task<string?> DefaultAccountAsync(CancellationToken ct)
    {
        var wanted = AccountSync.AccountFor(options.Rse);
        return (await target.ListAccountsAsync(ct)).Any(a => a.Account == wanted) ? wanted : null;
    }

    private async Task EnsureScopesAsync(RseDiff diff, CancellationToken ct)
    {
        var needed = diff.Datasets.SelectMany(d => d.Missing.Select(m => m.Scope).Concat(d.Dataset is { } ds && (d.Missing.Count > 0 || d.Attach.Count > 0) ? [DidRef.Parse(ds).Scope] : []))
            .ToHashSet(StringComparer.Ordinal);
        var have = (await target.ScopesAsync(ct)).ToHashSet(StringComparer.Ordinal);
        if (target.Account is null) await target.WhoamiAsync(ct);
        foreach (var scope in needed.Where(s => !have.Contains(s)))
            await Tolerate(() => target.AddScopeAsync(target.Account ?? "root", scope, ct), "Duplicate");
    }

    private async Task AddMissingAsync(DatasetDiff d, string? account, CancellationToken ct)
    {
        var dataset = await EnsureDatasetAsync(d.Dataset, ct);
        foreach (var chunk in d.Missing.Chunk(ChunkSize))
        {
            await SyncRetry.RunAsync(() => AddReplicasAsync(chunk, ct), ct);
            await AttachAsync(dataset, chunk, ct);
        }
        await EnsureRulesAsync(dataset, d.Missing, account, ct);
    }

    private int ChunkSize => Math.Clamp(options.Chunk, 1, 1000);

    /// <summary>The dataset on the target (with the source's containers of it), or null for files in no dataset.</summary>
    private async Task<DidRef?> EnsureDatasetAsync(string? text, CancellationToken ct)
    {
        if (text is null) return null;
        var ds = DidRef.Parse(text);
        await Tolerate(() => target.AddCollectionAsync(ds, "DATASET", ct: ct), "DataIdentifierAlreadyExists");
        await CopyContainersAsync(ds, ct);
        return ds;
    }

    private Task AttachAsync(DidRef? dataset, IEnumerable<CatalogueEntry> files, CancellationToken ct) => dataset is { } parent
        ? SyncRetry.RunAsync(() => target.AttachManyAsync([(parent, files.Select(f => new DidRef(f.Scope, f.Name)).ToList())], ct), ct)
        : Task.CompletedTask;

    /// <summary>A rule on the RSE for the dataset, or for each file when they are in no dataset, unless one is there already.</summary>
    private async Task EnsureRulesAsync(DidRef? dataset, IEnumerable<CatalogueEntry> files, string? account, CancellationToken ct)
    {
        var ruled = dataset is { } one ? [one] : files.Select(f => new DidRef(f.Scope, f.Name)).ToList();
        var unruled = new List<DidRef>();
        foreach (var did in ruled)
            if (!(await RulesHereAsync(did, ct)).Any()) unruled.Add(did);
        foreach (var chunk in unruled.Chunk(100))
            await target.AddRulesAsync(new RuleRequest(chunk, options.Rse, Account: account, Comment: $"ferry sync from {source.Describe}"), ct);
    }

    private async Task<IEnumerable<Ferry.Core.Dialect.RucioRule>> RulesHereAsync(DidRef did, CancellationToken ct) =>
        (await target.DidRulesAsync(did, ct)).Where(r => r.RseExpression == options.Rse);

    /// <summary>One call for the chunk; a retry after a lost answer finds some already there, so then one by one, skipping those.</summary>
    private async Task AddReplicasAsync(CatalogueEntry[] chunk, CancellationToken ct)
    {
        try { await target.AddReplicasAsync(options.Rse, Files(chunk), ct); }
        catch (FerryApiException e) when (e.ExceptionClass == "Duplicate")
        {
            foreach (var f in chunk) await Tolerate(() => target.AddReplicasAsync(options.Rse, Files([f]), ct), "Duplicate");
        }
    }

    private static JsonArray Files(IEnumerable<CatalogueEntry> files) => new(files.Select(f => (JsonNode)new JsonObject
    {
        ["scope"] = f.Scope, ["name"] = f.Name, ["bytes"] = f.Bytes, ["adler32"] = f.Adler32, ["state"] = "A",
    }).ToArray());

    private async Task CopyContainersAsync(DidRef dataset, CancellationToken ct)
    {
        if (source.Server is not { } server) return;
        List<Ferry.Core.Dialect.RucioTypedDid> parents;
        try { parents = await server.ParentsAsync(dataset, ct); }
        catch (FerryApiException) { return; }                   // a source without the parents call: datasets only
        foreach (var p in parents.Where(p => p.Type == "CONTAINER"))
        {
            var container = new DidRef(p.Scope, p.Name);
            await Tolerate(() => target.AddScopeAsync(target.Account ?? "root", container.Scope, ct), "Duplicate");
            await Tolerate(() => target.AddCollectionAsync(container, "CONTAINER", ct: ct), "DataIdentifierAlreadyExists");
            await target.AttachManyAsync([(container, [dataset])], ct);
        }
    }

    /// <summary>Detaches what the source no longer has; a dataset the source no longer holds on the RSE also loses the rules placing it there.</summary>
    private async Task RemoveExtraAsync(DatasetDiff d, IReadOnlyList<CatalogueEntry> theirs, CancellationToken ct)
    {
        if (d.Dataset is not { } text)
        {
            foreach (var f in d.Extra) await DropRulesAsync(new DidRef(f.Scope, f.Name), ct);
            return;
        }
        var dataset = DidRef.Parse(text);
        await DetachAsync(dataset, d.Extra, ct);
        if (!theirs.Any(t => t.Dataset == text)) await DropRulesAsync(dataset, ct);
    }

    private async Task DropRulesAsync(DidRef did, CancellationToken ct)
    {
        foreach (var rule in await RulesHereAsync(did, ct))
            await SyncRetry.RunAsync(() => Tolerate(() => target.DeleteRuleAsync(rule.Id, null, immediate: true, ct), "RuleNotFound"), ct);
    }

    private static async Task Tolerate(Func<Task> step, string exceptionClass)
    {
        try { await step(); }
        catch (FerryApiException e) when (e.ExceptionClass == exceptionClass) { }
    }
}
