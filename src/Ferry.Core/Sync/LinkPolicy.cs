namespace Ferry.Core.Sync;

/// <summary>
/// Distances from RSE attributes: the same <c>site</c> is nearest, then the same region (<c>region</c>, else
/// <c>region_code</c>, else <c>country_name</c>), then everything else.
/// </summary>
public sealed record LinkPolicy(int SameSite = 1, int SameRegion = 2, int Other = 3)
{
    public enum Relation { SameSite, SameRegion, Other }

    public static Relation Relate(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (Same(a, b, "site")) return Relation.SameSite;
        foreach (var key in new[] { "region", "region_code", "country_name" })
            if (a.ContainsKey(key) || b.ContainsKey(key)) return Same(a, b, key) ? Relation.SameRegion : Relation.Other;
        return Relation.Other;
    }

    public int Distance(Relation r) => r switch { Relation.SameSite => SameSite, Relation.SameRegion => SameRegion, _ => Other };

    private static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b, string key) =>
        a.TryGetValue(key, out var x) && b.TryGetValue(key, out var y) && x.Length > 0 && string.Equals(x, y, StringComparison.OrdinalIgnoreCase);
}
