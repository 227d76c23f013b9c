using Ferry.Client.Http;
using Ferry.Core.Sync;

namespace Ferry.Client.Sync;

/// <summary>
/// Distances between the target's RSEs: from the source's distances when a source is given, otherwise by policy from
/// the RSEs' attributes (same site, same region, other). Existing distances are kept unless overwrite; with disable,
/// pairs the policy calls "other" get no link.
/// </summary>
public sealed class LinkSync(FerryClient target, FerryClient? source, SyncFilter filter, LinkPolicy policy, bool overwrite, bool disable, bool dryRun)
{
    public async Task<SyncReport> RunAsync(CancellationToken ct)
    {
        var report = new SyncReport { DryRun = dryRun };
        var rses = (await target.ListRsesAsync(ct)).Select(r => r.Rse).Where(filter.Takes).Order(StringComparer.Ordinal).ToList();
        var attrs = new Dictionary<string, Dictionary<string, string>>();
        foreach (var rse in rses) attrs[rse] = RseSync.Strings(await target.RseAttributesAsync(rse, ct));
        foreach (var a in rses)
            foreach (var b in rses.Where(b => b != a))
            {
                int? wanted;
                if (source is not null) wanted = await SourceDistanceAsync(a, b, ct);
                else
                {
                    var relation = LinkPolicy.Relate(attrs[a], attrs[b]);
                    wanted = disable && relation == LinkPolicy.Relation.Other ? null : policy.Distance(relation);
                }
                if (wanted is not { } distance) continue;
                var current = await target.DistanceAsync(a, b, ct);
                if (current == distance) continue;
                if (current is not null && !overwrite) { report.Notes.Add($"{a} -> {b}: kept {current} (policy says {distance}; --overwrite replaces it)"); continue; }
                report.Change($"{a} -> {b}: {(current is null ? "" : $"{current} -> ")}{distance}");
                if (dryRun) continue;
                if (current is null) await target.SetDistanceAsync(a, b, distance, ct);
                else await target.UpdateDistanceAsync(a, b, distance, ct);
            }
        return report;
    }

    private async Task<int?> SourceDistanceAsync(string a, string b, CancellationToken ct)
    {
        try { return await source!.DistanceAsync(a, b, ct); }
        catch (FerryApiException e) when (e.Status == 404) { return null; }   // an RSE the source does not have
    }
}
