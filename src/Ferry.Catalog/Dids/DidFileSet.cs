using Ferry.Catalog.Db;
using Ferry.Core.Identifiers;

namespace Ferry.Catalog.Dids;

/// <summary>
/// The files below a chosen set of DIDs (datasets and containers expanded, a file stands for itself): what a
/// restricted site round (`ferry site run --dids`) may touch. A DID that does not exist is a 404, so a typo never
/// widens or silently empties the round.
/// </summary>
public sealed class DidFileSet(ICatalogDatabase db)
{
    public const int MaxDids = 10_000;

    public Task<IReadOnlySet<(string Scope, string Name)>> ExpandAsync(IReadOnlyList<DidRef> dids) => db.ReadAsync<IReadOnlySet<(string Scope, string Name)>>(async c =>
    {
        var files = new HashSet<(string Scope, string Name)>();
        foreach (var d in dids)
            foreach (var f in await DidCatalog.Files(c, null, d.Scope, d.Name))
                files.Add((f.Scope, f.Name));
        return files;
    });
}
