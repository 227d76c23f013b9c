namespace Ferry.Core.Sync;

/// <summary>A replica the catalogue places at <see cref="Path"/> (relative to the RSE's prefix).</summary>
public sealed record PlacedReplica(string Scope, string Name, string Path, long Bytes, string? Adler32, string? Md5);

/// <summary>
/// Catalogue against storage: dark files (on storage, in no catalogue row), lost replicas (in the catalogue, not on
/// storage) and the replicas found where the catalogue says.
/// </summary>
public sealed record StorageDiffResult(IReadOnlyList<string> Dark, IReadOnlyList<PlacedReplica> Lost, IReadOnlyList<PlacedReplica> Present);

public static class StorageDiff
{
    /// <summary>
    /// <paramref name="known"/> are paths the catalogue knows in any state (a copy in flight is not dark);
    /// <paramref name="expected"/> the replicas that should be on storage.
    /// </summary>
    public static StorageDiffResult Compare(IReadOnlyList<PlacedReplica> expected, IReadOnlyCollection<string> known, IEnumerable<string> onStorage)
    {
        var knownSet = known as HashSet<string> ?? new HashSet<string>(known, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var dark = new List<string>();
        foreach (var path in onStorage)
        {
            if (!seen.Add(path)) continue;
            if (!knownSet.Contains(path)) dark.Add(path);
        }
        var lost = new List<PlacedReplica>();
        var present = new List<PlacedReplica>(expected.Count);
        foreach (var r in expected) (seen.Contains(r.Path) ? present : lost).Add(r);
        dark.Sort(StringComparer.Ordinal);
        return new StorageDiffResult(dark, lost, present);
    }
}
