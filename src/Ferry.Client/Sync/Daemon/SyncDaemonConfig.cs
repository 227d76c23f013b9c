using System.Text.Json.Nodes;
using Ferry.Client.Config;
using Ferry.Core.Errors;
using Ferry.Core.Sync;
using Ferry.Core.Time;

namespace Ferry.Client.Sync.Daemon;

/// <summary>One RSE whose replicas the daemon keeps in step with the source, inside its run window.</summary>
public sealed record ReplicaEntry(string Rse, int Chunk, bool AllowClean, string? Account, SyncWindow Window);

/// <summary>The links step: distances by policy (or the source's), as `ferry sync links` takes them.</summary>
public sealed record LinkStep(LinkPolicy Policy, bool FromSource, bool Overwrite, bool Disable, SyncFilter Filter);

/// <summary>
/// sync.yaml (or .json) for `ferry sync run`. Every key is checked before anything runs; an unknown key is an error,
/// so a typo never turns into a silently ignored setting:
/// <code>
/// source: http://old-catalogue:7878      # a server URL, or a replica dump (JSON lines or Rucio's text dump)
/// source_account: root                   # password in FERRY_SOURCE_PASSWORD, or FERRY_SOURCE_TOKEN
/// interval_seconds: 300
/// parallelism: 2                         # RSEs whose replicas are synced at once
/// rses: {select: '^SITE-'}               # optional: RSE definitions every cycle
/// accounts: {select: '^SITE-'}           # optional: one account per RSE
/// links: {same_site: 1, same_region: 2, other: 3}   # optional
/// replicas:
///   - {rse: SITE-A, chunk: 500, since: 2026-12-01T00:00:00Z, for: 14d}
/// </code>
/// </summary>
public sealed record SyncDaemonConfig(
    string Source, string? SourceAccount, TimeSpan Interval, int Parallelism,
    SyncFilter? Rses, SyncFilter? Accounts, LinkStep? Links, IReadOnlyList<ReplicaEntry> Replicas)
{
    private static readonly string[] TopKeys = ["source", "source_account", "interval_seconds", "parallelism", "rses", "accounts", "links", "replicas"];

    public static SyncDaemonConfig Load(string path) => Parse(ConfigFile.ReadObject(path, "a sync config"), path);

    public static SyncDaemonConfig Parse(JsonObject root, string path)
    {
        string Where(string key) => $"{path}: '{key}'";
        foreach (var (key, _) in root)
            if (!TopKeys.Contains(key)) throw FerryException.Invalid($"{path}: unknown key '{key}'; the keys are {string.Join(", ", TopKeys)}");
        var source = Str(root, "source", path) ?? throw FerryException.Invalid($"{Where("source")} is required: a server URL or a dump file");
        var interval = TimeSpan.FromSeconds(Number(root, "interval_seconds", path, 300, 1, 7 * 86400));
        var parallelism = (int)Number(root, "parallelism", path, 2, 1, 64);
        var replicas = new List<ReplicaEntry>();
        if (root["replicas"] is { } list)
        {
            if (list is not JsonArray entries) throw FerryException.Invalid($"{Where("replicas")} must be a list of entries like {{rse: SITE-A}}");
            for (var i = 0; i < entries.Count; i++) replicas.Add(Entry(entries[i], $"{path}: replicas[{i}]"));
        }
        foreach (var dup in replicas.GroupBy(r => r.Rse).Where(g => g.Count() > 1))
            throw FerryException.Invalid($"{path}: RSE {dup.Key} appears {dup.Count()} times under 'replicas'");
        var rses = Filter(root, "rses", path);
        var accounts = Filter(root, "accounts", path);
        var links = root["links"] is null ? null : LinkSettings(root["links"]!, $"{path}: links");
        if (replicas.Count == 0 && rses is null && accounts is null && links is null)
            throw FerryException.Invalid($"{path}: nothing to sync (give 'replicas', 'rses', 'accounts' or 'links')");
        return new SyncDaemonConfig(source, Str(root, "source_account", path), interval, parallelism, rses, accounts, links, replicas);
    }

    private static ReplicaEntry Entry(JsonNode? node, string where)
    {
        if (node is not JsonObject o) throw FerryException.Invalid($"{where} must be a mapping like {{rse: SITE-A}}");
        string[] keys = ["rse", "chunk", "allow_clean", "account", "since", "until", "for"];
        foreach (var (key, _) in o)
            if (!keys.Contains(key)) throw FerryException.Invalid($"{where}: unknown key '{key}'; the keys are {string.Join(", ", keys)}");
        var rse = Str(o, "rse", where) ?? throw FerryException.Invalid($"{where}: 'rse' is required");
        var since = Str(o, "since", where) is { } s ? Time(s, $"{where}: since") : (DateTimeOffset?)null;
        var until = Str(o, "until", where) is { } u ? Time(u, $"{where}: until") : (DateTimeOffset?)null;
        TimeSpan? length = null;
        if (o["for"] is { } f)
        {
            try { length = TimeSpan.FromSeconds(Durations.ParseSeconds(f.ToString())); }
            catch (FerryException e) { throw FerryException.Invalid($"{where}: for: {e.Message}"); }
        }
        if (since is { } a && until is { } b && b <= a) throw FerryException.Invalid($"{where}: 'until' must be after 'since'");
        return new ReplicaEntry(rse, (int)Number(o, "chunk", where, 500, 1, 1000), Bool(o, "allow_clean", where), Str(o, "account", where),
            new SyncWindow(since, until, length));
    }

    private static LinkStep LinkSettings(JsonNode node, string where)
    {
        if (node is JsonValue v && v.TryGetValue<bool>(out var on))
            return on ? new LinkStep(new LinkPolicy(1, 2, 3), false, false, false, new SyncFilter(null, null))
                : throw FerryException.Invalid($"{where}: leave the key out instead of 'false'");
        if (node is not JsonObject o) throw FerryException.Invalid($"{where} must be a mapping or true");
        string[] keys = ["same_site", "same_region", "other", "from_source", "overwrite", "disable", "select", "exclude"];
        foreach (var (key, _) in o)
            if (!keys.Contains(key)) throw FerryException.Invalid($"{where}: unknown key '{key}'; the keys are {string.Join(", ", keys)}");
        var policy = new LinkPolicy((int)Number(o, "same_site", where, 1, 0, 1000), (int)Number(o, "same_region", where, 2, 0, 1000), (int)Number(o, "other", where, 3, 0, 1000));
        return new LinkStep(policy, Bool(o, "from_source", where), Bool(o, "overwrite", where), Bool(o, "disable", where),
            new SyncFilter(Str(o, "select", where), Str(o, "exclude", where)));
    }

    private static SyncFilter? Filter(JsonObject root, string key, string path)
    {
        var where = $"{path}: {key}";
        switch (root[key])
        {
            case null: return null;
            case JsonValue v when v.TryGetValue<bool>(out var on) && on: return new SyncFilter(null, null);
            case JsonObject o:
                foreach (var (k, _) in o)
                    if (k is not ("select" or "exclude")) throw FerryException.Invalid($"{where}: unknown key '{k}' (only select and exclude)");
                return new SyncFilter(Str(o, "select", where), Str(o, "exclude", where));
            default: throw FerryException.Invalid($"{where} must be true or a mapping with select/exclude");
        }
    }

    private static DateTimeOffset Time(string text, string where)
    {
        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var t)) return t;
        throw FerryException.Invalid($"{where}: cannot read '{text}' as a UTC time; write e.g. 2026-12-01T00:00:00Z");
    }

    private static string? Str(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
        _ => throw FerryException.Invalid($"{where}: '{key}' must be a non-empty string"),
    };

    private static bool Bool(JsonObject o, string key, string where) => o[key] switch
    {
        null => false,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw FerryException.Invalid($"{where}: '{key}' must be true or false"),
    };

    private static double Number(JsonObject o, string key, string where, double fallback, double min, double max)
    {
        if (o[key] is not { } node) return fallback;
        double? value = node is JsonValue v ? (v.TryGetValue<long>(out var l) ? l : v.TryGetValue<double>(out var d) ? d : null) : null;
        if (value is { } x && x >= min && x <= max) return x;
        throw FerryException.Invalid($"{where}: '{key}' must be a number from {min} to {max}");
    }
}
