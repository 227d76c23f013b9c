namespace Ferry.Core.Sync;

/// <summary>A file both sides hold with a different size or checksum.</summary>
public sealed record ChangedFile(CatalogueEntry Source, CatalogueEntry Target)
{
    public string What => Source.Bytes != Target.Bytes ? $"bytes {Target.Bytes} -> {Source.Bytes}" : $"adler32 {Target.Adler32} -> {Source.Adler32}";
}

/// <summary>What one dataset on one RSE lacks, has too much of, or holds differently, compared with the source.</summary>
public sealed record DatasetDiff(string? Dataset, IReadOnlyList<CatalogueEntry> Missing, IReadOnlyList<CatalogueEntry> Extra, IReadOnlyList<ChangedFile> Changed)
{
    public bool Empty => Missing.Count == 0 && Extra.Count == 0 && Changed.Count == 0;
}

/// <summary>The whole comparison of one RSE, per dataset, and the guard against a source that lost everything.</summary>
public sealed record RseDiff(IReadOnlyList<DatasetDiff> Datasets, int SourceFiles, int TargetFiles)
{
    public int Missing => Datasets.Sum(d => d.Missing.Count);
    public int Extra => Datasets.Sum(d => d.Extra.Count);
    public int Changed => Datasets.Sum(d => d.Changed.Count);

    /// <summary>Every file the target holds on the RSE would go: the signature of a source that lost its catalogue or its RSE.</summary>
    public bool WouldRemoveEverything => TargetFiles > 0 && Extra == TargetFiles;
}

/// <summary>Compares a source's replicas of an RSE with the target's, file by file, grouped by dataset.</summary>
public static class ReplicaDiff
{
    public static RseDiff Compute(IReadOnlyList<CatalogueEntry> source, IReadOnlyList<CatalogueEntry> target)
    {
        var targetByDid = new Dictionary<string, CatalogueEntry>(target.Count, StringComparer.Ordinal);
        foreach (var t in target) targetByDid.TryAdd(t.Did, t);
        var sourceDids = new HashSet<string>(source.Count, StringComparer.Ordinal);
        var missing = new Dictionary<string, List<CatalogueEntry>>(StringComparer.Ordinal);
        var changed = new Dictionary<string, List<ChangedFile>>(StringComparer.Ordinal);
        var extra = new Dictionary<string, List<CatalogueEntry>>(StringComparer.Ordinal);
        foreach (var s in source)
        {
            if (!sourceDids.Add(s.Did)) continue;
            var key = s.Dataset ?? "";
            if (!targetByDid.TryGetValue(s.Did, out var t)) Add(missing, key, s);
            else if (t.Bytes != s.Bytes || (s.Adler32 is not null && t.Adler32 is not null && !string.Equals(s.Adler32, t.Adler32, StringComparison.OrdinalIgnoreCase)))
                Add(changed, key, new ChangedFile(s, t));
        }
        foreach (var t in targetByDid.Values)
            if (!sourceDids.Contains(t.Did)) Add(extra, t.Dataset ?? "", t);
        var keys = missing.Keys.Concat(extra.Keys).Concat(changed.Keys).Distinct().Order(StringComparer.Ordinal);
        var datasets = keys.Select(k => new DatasetDiff(k.Length == 0 ? null : k,
            missing.GetValueOrDefault(k) ?? [], extra.GetValueOrDefault(k) ?? [], changed.GetValueOrDefault(k) ?? [])).ToList();
        return new RseDiff(datasets, sourceDids.Count, targetByDid.Count);
    }

    private static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        list.Add(value);
    }
}
