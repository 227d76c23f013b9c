using Dapper;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Paths;

namespace Ferry.Catalog.Replicas;

public sealed partial class ReplicaCatalog
{
    /// <summary>
    /// Finds the replica behind each PFN, as Rucio's clients name replicas when they declare them bad: the PFN must
    /// start with one of an RSE's protocol URLs, and the rest must be the path of a replica on that RSE (its stored
    /// path, or the deterministic one). A PFN that names no replica is a 404 ReplicaNotFound, and nothing is returned.
    /// </summary>
    public async Task<IReadOnlyList<(string Scope, string Name, string Rse)>> ResolvePfnsAsync(IReadOnlyList<string> pfns, RseCatalog rses)
    {
        var bases = new List<(string Base, string RseId, string Rse)>();
        foreach (var rse in await rses.ListAsync())
            foreach (var p in await rses.ProtocolsAsync(rse.Id))
                bases.Add((Lfn2Pfn.Pfn(p.Scheme, p.Hostname, p.Port, p.Prefix, ""), rse.Id, rse.Name));
        var found = new List<(string, string, string)>();
        foreach (var pfn in pfns)
        {
            var match = await db.ReadAsync(async c =>
            {
                // The longest matching protocol URL first: one RSE's prefix may lie inside another's.
                foreach (var (url, rseId, rse) in bases.Where(b => pfn.StartsWith(b.Base, StringComparison.Ordinal)).OrderByDescending(b => b.Base.Length))
                {
                    var path = pfn[url.Length..];
                    var segments = path.Split('/');
                    // A name may hold slashes, so every tail of the path is a candidate; the full path check decides.
                    var candidates = Enumerable.Range(0, segments.Length).Select(i => string.Join('/', segments[i..])).ToList();
                    var rows = await c.QueryAsync<(string Scope, string Name, string? Path)>(
                        "SELECT scope, name, path FROM replicas WHERE rse_id=@rseId AND name IN @candidates", new { rseId, candidates });
                    foreach (var r in rows)
                        if ((r.Path ?? Lfn2Pfn.Hash(r.Scope, r.Name)) == path) return (r.Scope, r.Name, rse);
                }
                return ((string, string, string)?)null;
            });
            found.Add(match ?? throw FerryException.NotFound("ReplicaNotFound", $"No replica has the PFN '{pfn}'"));
        }
        return found;
    }
}
