namespace Ferry.Server.Endpoints;

/// <summary>
/// Splits /dids/{scope}/{name}[/suffix] the way Rucio does. Clients encode '/' in names as %2F, which ASP.NET leaves
/// encoded in the path, so segments are split on literal slashes first and decoded afterwards.
/// </summary>
internal sealed record DidPath(string Scope, string Name, string? Suffix, string? Key)
{
    private static readonly HashSet<string> Suffixes = ["dids", "files", "meta", "rules", "parents", "status", "associated_rules"];

    public static DidPath? Parse(string rawRest)
    {
        var segs = rawRest.Split('/').Select(Uri.UnescapeDataString).ToList();
        if (segs.Count > 1 && segs[^1].Length == 0) segs.RemoveAt(segs.Count - 1);
        if (segs.Count < 2 || segs[0].Length == 0) return null;
        if (segs.Count >= 3 && segs[^2] == "meta") return new DidPath(segs[0], string.Join('/', segs[1..^2]), "meta", segs[^1]);
        if (segs.Count >= 3 && Suffixes.Contains(segs[^1])) return new DidPath(segs[0], string.Join('/', segs[1..^1]), segs[^1], null);
        return new DidPath(segs[0], string.Join('/', segs[1..]), null, null);
    }
}
