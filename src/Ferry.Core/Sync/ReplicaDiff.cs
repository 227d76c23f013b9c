namespace Ferry.Core.Sync;

/// <summary>A file both sides hold with a different size or checksum.</summary>
public sealed record ChangedFile(CatalogueEntry Source, CatalogueEntry Target)
{
    public string What => Source.Bytes != Target.Bytes ? $"bytes {Target.Bytes} -> {Source.Bytes}" : $"adler32 {Target.Adler32} -> {Source.Adler32}";
}

/// <summary>A file both sides hold whose datasets differ: <see cref="From"/> on the target, <see cref="To"/> on the source (empty: in no dataset).</summary>
public sealed record MovedFile(CatalogueEntry File, IReadOnlyList<string> From, IReadOnlyList<string> To)
{
    public override string ToString() => $"{File.Did}: {Label(From)} -> {Label(To)}";

    private static string Label(IReadOnlyList<string> datasets) => datasets.Count == 0 ? "(no dataset)" : string.Join(", ", datasets);
}

/// <summary>
/// What one dataset on one RSE lacks, has too much of, or holds differently, compared with the source. A file is
/// missing or extra under its first dataset; <see cref="Attach"/> and <see cref="Detach"/> are the other changes of
/// membership (files moved in or out, and a missing or extra file's further datasets). For the null dataset, attaching
/// means the file is to be kept by a rule of its own, detaching that it no longer needs one.
/// </summary>
public sealed record DatasetDiff(string? Dataset, IReadOnlyList<CatalogueEntry> Missing, IReadOnlyList<CatalogueEntry> Extra, IReadOnlyList<ChangedFile> Changed)
{
    public IReadOnlyList<CatalogueEntry> Attach { get; init; } = [];
    public IReadOnlyList<CatalogueEntry> Detach { get; init; } = [];
    public bool Empty => Missing.Count == 0 && Extra.Count == 0 && Changed.Count == 0 && Attach.Count == 0 && Detach.Count == 0;
}

/// <summary>The whole comparison of one RSE, per dataset, and the guard against a source that lost everything.</summary>
public sealed record RseDiff(IReadOnlyList<DatasetDiff> Datasets, int SourceFiles, int TargetFiles)
{
    public IReadOnlyList<MovedFile> Moves { get; init; } = [];
    public int Missing => Datasets.Sum(d => d.Missing.Count);
    public int Extra => Datasets.Sum(d => d.Extra.Count);
    public int Changed => Datasets.Sum(d => d.Changed.Count);
    public int Moved => Moves.Count;

    /// <summary>Every file the target holds on the RSE would go: the signature of a source that lost its catalogue or its RSE.</summary>
    public bool WouldRemoveEverything => TargetFiles > 0 && Extra == TargetFiles;
}

/// <summary>
/// Compares a source's replicas of an RSE with the target's, file by file, grouped by dataset. A file in several
/// datasets comes as one entry per dataset; its membership is the set of them, and a difference in it is a move.
/// </summary>
public static class ReplicaDiff
{
    public static RseDiff Compute(IReadOnlyList<CatalogueEntry> source, IReadOnlyList<CatalogueEntry> target)
    {
        var theirs = Files(source);
        var ours = Files(target);
        var missing = new Dictionary<string, List<CatalogueEntry>>(StringComparer.Ordinal);
        var changed = new Dictionary<string, List<ChangedFile>>(StringComparer.Ordinal);
        var extra = new Dictionary<string, List<CatalogueEntry>>(StringComparer.Ordinal);
        var attach = new Dictionary<string, List<CatalogueEntry>>(StringComparer.Ordinal);
        var detach = new Dictionary<string, List<CatalogueEntry>>(StringComparer.Ordinal);
        var moves = new List<MovedFile>();
        foreach (var (did, (s, sets)) in theirs)
        {
            var key = sets.Count == 0 ? "" : sets[0];
            if (!ours.TryGetValue(did, out var mine))
            {
                Add(missing, key, s);
                foreach (var other in sets.Skip(1)) Add(attach, other, s);
                continue;
            }
            var t = mine.Entry;
            if (t.Bytes != s.Bytes || (s.Adler32 is not null && t.Adler32 is not null && !string.Equals(s.Adler32, t.Adler32, StringComparison.OrdinalIgnoreCase)))
                Add(changed, key, new ChangedFile(s, t));
            if (sets.SequenceEqual(mine.Datasets, StringComparer.Ordinal)) continue;
            moves.Add(new MovedFile(t, mine.Datasets, sets));
            // "" stands for "in no dataset": the file then needs (or no longer needs) a rule of its own.
            foreach (var ds in Holders(sets).Except(Holders(mine.Datasets), StringComparer.Ordinal)) Add(attach, ds, t);
            foreach (var ds in Holders(mine.Datasets).Except(Holders(sets), StringComparer.Ordinal)) Add(detach, ds, t);
        }
        foreach (var (did, (t, sets)) in ours)
        {
            if (theirs.ContainsKey(did)) continue;
            Add(extra, sets.Count == 0 ? "" : sets[0], t);
            foreach (var other in sets.Skip(1)) Add(detach, other, t);
        }
        var keys = missing.Keys.Concat(extra.Keys).Concat(changed.Keys).Concat(attach.Keys).Concat(detach.Keys).Distinct().Order(StringComparer.Ordinal);
        var datasets = keys.Select(k => new DatasetDiff(k.Length == 0 ? null : k,
            missing.GetValueOrDefault(k) ?? [], extra.GetValueOrDefault(k) ?? [], changed.GetValueOrDefault(k) ?? [])
        {
            Attach = attach.GetValueOrDefault(k) ?? [], Detach = detach.GetValueOrDefault(k) ?? [],
        }).ToList();
        return new RseDiff(datasets, theirs.Count, ours.Count) { Moves = moves };
    }

    private static IReadOnlyList<string> Holders(IReadOnlyList<string> datasets) => datasets.Count == 0 ? [""] : datasets;

    /// <summary>Each file once, in the order first seen, with its datasets sorted.</summary>
    private static Dictionary<string, (CatalogueEntry Entry, IReadOnlyList<string> Datasets)> Files(IReadOnlyList<CatalogueEntry> entries)
    {
        var sets = new Dictionary<string, (CatalogueEntry Entry, SortedSet<string> Datasets)>(entries.Count, StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (!sets.TryGetValue(e.Did, out var file)) sets[e.Did] = file = (e, new SortedSet<string>(StringComparer.Ordinal));
            if (e.Dataset is { } ds) file.Datasets.Add(ds);
        }
        return sets.ToDictionary(f => f.Key, f => (f.Value.Entry, (IReadOnlyList<string>)f.Value.Datasets.ToList()), StringComparer.Ordinal);
    }

    private static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        list.Add(value);
    }
}
