using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Ferry.Client.Http;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Core.Paths;

namespace Ferry.Client.Sync;

/// <summary>
/// Creates or updates the target's RSEs from the source's: settings, attributes and protocols. Before an RSE is
/// touched, sample LFNs are mapped to PFNs as the source says and as Ferry would; an RSE where they disagree is refused
/// (Ferry would look for every file in the wrong place). Changing the protocols of an RSE that already holds replicas
/// on the target repoints it (its files would be looked for elsewhere): a dry run marks that DANGEROUS, and a real run
/// refuses it unless <paramref name="allowRepoint"/>.
/// </summary>
public sealed class RseSync(FerryClient source, FerryClient target, SyncFilter filter, bool dryRun, bool allowRepoint = false)
{
    public static readonly IReadOnlyList<DidRef> SampleLfns = [new("user.sync", "probe_0001.dat"), new("data", "run1/file.root"), new("group.phys", "ntuple.root")];

    public async Task<SyncReport> RunAsync(CancellationToken ct)
    {
        var report = new SyncReport { DryRun = dryRun };
        var names = (await source.ListRsesAsync(ct)).Select(r => r.Rse).Where(filter.Takes).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) report.Notes.Add("the source has no RSE the filters take");
        foreach (var name in names) await SyncOneAsync(name, report, ct);
        return report;
    }

    private async Task SyncOneAsync(string name, SyncReport report, CancellationToken ct)
    {
        var rse = await source.GetRseAsync(name, ct);
        var attrs = Strings(await source.RseAttributesAsync(name, ct));
        if (await MappingProblemAsync(name, rse, attrs, ct) is { } problem) { report.Refused.Add($"{name}: {problem}"); return; }

        RucioRseInfo? existing = null;
        try { existing = await target.GetRseAsync(name, ct); }
        catch (FerryApiException e) when (e.ExceptionClass == "RSENotFound") { }
        if (existing is null)
        {
            var props = new JsonObject
            {
                ["deterministic"] = rse.Deterministic, ["volatile"] = rse.Volatile, ["rse_type"] = rse.RseType, ["staging_area"] = rse.StagingArea,
            };
            foreach (var (key, value) in Availability(rse)) props[key] = value;
            report.Change($"{name}: created");
            if (!dryRun) await target.AddRseAsync(name, props, ct);
        }
        else
        {
            var flags = new JsonObject();
            foreach (var ((key, wanted), (_, current)) in Availability(rse).Zip(Availability(existing)))
                if (wanted != current) flags[key] = wanted;
            if (flags.Count > 0)
            {
                report.Change($"{name}: {string.Join(", ", flags.Select(f => $"{f.Key}={f.Value}"))}");
                if (!dryRun) await target.UpdateRseAsync(name, flags, ct);
            }
        }
        var have = existing is null ? new Dictionary<string, string>() : Strings(await target.RseAttributesAsync(name, ct));
        foreach (var (key, value) in attrs.Where(a => a.Key != name && a.Key != "lfn2pfn_algorithm"))
        {
            if (have.TryGetValue(key, out var current) && current == value) continue;
            report.Change($"{name}: attribute {key}={value}");
            if (!dryRun) await target.SetRseAttributeAsync(name, key, value, ct);
        }
        await SyncProtocolsAsync(name, rse, existing, report, ct);
    }

    private async Task SyncProtocolsAsync(string name, RucioRseInfo rse, RucioRseInfo? existing, SyncReport report, CancellationToken ct)
    {
        var theirs = existing?.Protocols ?? [];
        var bySchemeDone = new HashSet<string>();
        var changes = new List<(RucioProtocol Protocol, string Line, bool Replace)>();
        foreach (var p in rse.Protocols)
        {
            var scheme = p.Scheme;
            if (theirs.Any(t => Same(t, p))) continue;
            // Ferry keeps one protocol per scheme and host; a changed one is replaced.
            var old = theirs.FirstOrDefault(t => t.Scheme == scheme);
            var replace = old is not null && bySchemeDone.Add(scheme);
            changes.Add((p, replace ? $"{name}: protocol {scheme} replaced: {Location(old!)} -> {Location(p)}" : $"{name}: protocol {Location(p)} added", replace));
        }
        if (changes.Count == 0) return;
        var held = existing is null ? 0 : await ReplicaCountAsync(name, ct);
        if (held > 0 && !allowRepoint)
        {
            var danger = $"DANGEROUS: {name} holds {held} replica(s) on this server, whose files would be looked for at the new place";
            if (dryRun) foreach (var c in changes) report.Change($"{c.Line} ({danger}; refused without --allow-repoint)");
            else report.Refused.Add($"{name}: {string.Join("; ", changes.Select(c => c.Line[(name.Length + 2)..]))}: {danger}. Its protocols were left as they are (--allow-repoint changes them)");
            return;
        }
        foreach (var (p, line, replace) in changes)
        {
            report.Change(held > 0 ? $"{line} (repoints {held} replica(s), --allow-repoint)" : line);
            if (dryRun) continue;
            if (replace) await target.DeleteProtocolAsync(name, p.Scheme, ct);
            var body = new JsonObject
            {
                ["hostname"] = p.Hostname, ["port"] = p.Port, ["prefix"] = p.Prefix, ["impl"] = p.Impl,
                ["domains"] = JsonSerializer.SerializeToNode(p.Domains, DomainsInfo),
                ["extended_attributes"] = p.ExtendedAttributes is { ValueKind: JsonValueKind.Object } x ? JsonObject.Create(x) : null,
            };
            await target.AddProtocolAsync(name, p.Scheme, body, ct);
        }
    }

    private static string Location(RucioProtocol p) => $"{p.Scheme}://{p.Hostname}:{p.Port}{p.Prefix}";

    /// <summary>Replicas of the RSE on the target in any state (a copy in flight would land in the old place too).</summary>
    private async Task<int> ReplicaCountAsync(string name, CancellationToken ct)
    {
        var n = 0;
        await foreach (var _ in target.RseReplicasAsync(name, ct)) n++;
        return n;
    }

    /// <summary>Null when the source maps the sample LFNs as Ferry does; otherwise what differs.</summary>
    private async Task<string?> MappingProblemAsync(string name, RucioRseInfo rse, IReadOnlyDictionary<string, string> attrs, CancellationToken ct)
    {
        var algorithm = attrs.GetValueOrDefault("lfn2pfn_algorithm") ?? rse.Lfn2PfnAlgorithm;
        if (!rse.Deterministic)
            return "the source RSE is not deterministic: its paths cannot be computed from names, refused";
        if (algorithm is not ("hash" or "default"))
            return $"lfn2pfn self-check failed: the source maps names with '{algorithm}', Ferry with 'hash' (e.g. {SampleLfns[0].Scope}:{SampleLfns[0].Name} -> " +
                   $"{Lfn2Pfn.Path(algorithm, SampleLfns[0].Scope, SampleLfns[0].Name)} there, {Lfn2Pfn.Hash(SampleLfns[0].Scope, SampleLfns[0].Name)} here), refused";
        foreach (var p in rse.Protocols)
        {
            var scheme = p.Scheme;
            Dictionary<string, string> theirs;
            try { theirs = await source.Lfns2PfnsAsync(name, SampleLfns, scheme, ct); }
            catch (FerryApiException) { continue; }           // a protocol the source cannot map for reading: nothing to compare
            foreach (var lfn in SampleLfns)
            {
                var ours = Lfn2Pfn.Pfn(scheme, p.Hostname, p.Port, p.Prefix, Lfn2Pfn.Hash(lfn.Scope, lfn.Name));
                if (theirs.TryGetValue($"{lfn.Scope}:{lfn.Name}", out var pfn) && !SamePfn(pfn, ours))
                    return $"lfn2pfn self-check failed for {lfn.Scope}:{lfn.Name} over {scheme}: the source says {pfn}, Ferry computes {ours}, refused";
            }
        }
        return null;
    }

    // gfal-style servers leave the port out when it is the scheme's default; compare without it.
    private static bool SamePfn(string a, string b) => a == b || StripPort(a) == StripPort(b);

    private static string StripPort(string pfn) => System.Text.RegularExpressions.Regex.Replace(pfn, @"^([a-z0-9+.-]+://[^/:]+):\d+", "$1");

    private static bool Same(RucioProtocol a, RucioProtocol b) =>
        a.Scheme == b.Scheme && a.Hostname == b.Hostname && a.Port == b.Port
        && Lfn2Pfn.NormalisePrefix(a.Prefix) == Lfn2Pfn.NormalisePrefix(b.Prefix) && Domains(a) == Domains(b);

    private static JsonTypeInfo<Dictionary<string, Dictionary<string, int?>>?> DomainsInfo => DialectJson.Default.DictionaryStringDictionaryStringNullableInt32!;

    private static string Domains(RucioProtocol p) => JsonSerializer.Serialize(p.Domains, DomainsInfo);

    /// <summary>The availability flags as the dialect names them, in one order (read, write, delete).</summary>
    private static (string Key, bool Value)[] Availability(RucioRseInfo rse) =>
        [("availability_read", rse.AvailabilityRead), ("availability_write", rse.AvailabilityWrite), ("availability_delete", rse.AvailabilityDelete)];

    public static Dictionary<string, string> Strings(IReadOnlyDictionary<string, JsonElement> attrs) =>
        attrs.ToDictionary(a => a.Key, a => a.Value.ValueKind switch
        {
            JsonValueKind.String => a.Value.GetString()!, JsonValueKind.True => "true", JsonValueKind.False => "false", _ => a.Value.GetRawText(),
        });
}
