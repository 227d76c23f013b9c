using System.Runtime.CompilerServices;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Core.Model;
using Ferry.Core.Paths;
using Ferry.Engine.Storage;
using Ferry.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// A replica listing as the endpoints run it. The request's options are resolved when it is made (a bad RSE
/// expression is a 4xx before a byte of the answer is written); the files then come a page of DIDs at a time, one
/// query per page, each with its PFNs in preference order, so a listing of 100,000 files streams to the client
/// instead of being built whole in memory first.
/// </summary>
internal sealed class ReplicaLister
{
    private readonly ReplicaCatalog _replicas;
    private readonly RseCatalog _rses;
    private readonly ReplicaFilter _filter;
    private readonly HashSet<string>? _schemes;
    // Per RSE, the protocols that read, in the order their PFNs are offered; read once per listing.
    private readonly Dictionary<string, Reader[]> _readers = new();

    /// <summary>A protocol that reads, with what its PFNs start with and its read priority, worked out once per listing.</summary>
    private sealed record Reader(string Scheme, string Base, int Priority);

    private ReplicaLister(ReplicaCatalog replicas, RseCatalog rses, ReplicaFilter filter, HashSet<string>? schemes) =>
        (_replicas, _rses, _filter, _schemes) = (replicas, rses, filter, schemes);

    public static async Task<ReplicaLister> CreateAsync(HttpContext ctx, bool allStates, string? rseExpression, bool parents,
        HashSet<string>? schemes, bool readableOnly = false, bool resolveArchives = false)
    {
        var rses = ctx.RequestServices.GetRequiredService<RseCatalog>();
        IReadOnlySet<string>? rseIds = null;
        if (rseExpression is not null)
        {
            var names = (await rses.EvaluateAsync(rseExpression)).ToHashSet();
            rseIds = (await rses.ListAsync()).Where(r => names.Contains(r.Name)).Select(r => r.Id).ToHashSet();
        }
        return new ReplicaLister(ctx.RequestServices.GetRequiredService<ReplicaCatalog>(), rses,
            new ReplicaFilter(allStates, rseIds, readableOnly, resolveArchives, parents), schemes);
    }

    /// <summary>The files of the DIDs in the order asked, each once, with their PFNs (<see cref="ReplicaCatalog.StreamAsync"/>).</summary>
    public async IAsyncEnumerable<ListedFile> ListAsync(IReadOnlyList<(string Scope, string Name)> dids, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var file in _replicas.StreamAsync(dids, _filter, skipUnknown: true, ct)) yield return await ListedAsync(file);
    }

    /// <summary>The whole listing in memory, for the answers that need it all before they start (nrandom, redirects).</summary>
    public async Task<List<ListedFile>> ToListAsync(IReadOnlyList<(string Scope, string Name)> dids, CancellationToken ct = default)
    {
        var all = new List<ListedFile>();
        await foreach (var f in ListAsync(dids, ct)) all.Add(f);
        return all;
    }

    private async ValueTask<ListedFile> ListedAsync(FileReplicas f)
    {
        var pfns = new List<ListedPfn>(f.Replicas.Count + f.InArchives.Count);
        foreach (var r in f.Replicas) await AddPfns(pfns, f, r, inArchive: false);
        foreach (var r in f.InArchives) await AddPfns(pfns, f, r, inArchive: true);
        // The file's own copies come first; archives only after them, as extracting costs the whole archive.
        if (pfns.Count > 1)
            pfns = pfns.OrderBy(p => p.ClientExtract).ThenBy(p => p.Priority).ThenBy(p => p.Rse, StringComparer.Ordinal).ToList();
        for (var i = 0; i < pfns.Count; i++) pfns[i] = pfns[i] with { Priority = i + 1 };
        IReadOnlyList<ReplicaView> where = f.InArchives.Count == 0 ? f.Replicas : f.Replicas.Concat(f.InArchives).DistinctBy(r => r.RseId).ToList();
        return new ListedFile(f.File, pfns, where, _filter.WithParents ? f.Parents.Order(StringComparer.Ordinal).ToList() : null);
    }

    /// <remarks>Until the PFNs are sorted, <see cref="ListedPfn.Priority"/> holds the protocol's read priority.</remarks>
    private async ValueTask AddPfns(List<ListedPfn> pfns, FileReplicas f, ReplicaView r, bool inArchive)
    {
        if (!_readers.TryGetValue(r.RseId, out var protocols))
            _readers[r.RseId] = protocols = (await _rses.ProtocolsAsync(r.RseId))
                .Where(p => _schemes is null || _schemes.Contains(p.Scheme))
                .Select(p => (p, Priority: RseStorage.Priority(p, StorageOperation.Read)))
                .Where(x => x.Priority is not null)
                .Select(x => new Reader(x.p.Scheme, Lfn2Pfn.Base(x.p.Scheme, x.p.Hostname, x.p.Port, x.p.Prefix), x.Priority!.Value)).ToArray();
        if (protocols.Length == 0) return;
        var path = r.Path ?? Lfn2Pfn.Hash(r.Scope, r.Name);
        foreach (var p in protocols)
        {
            var pfn = p.Base + path;
            // A file inside an archive is served by the archive's URL: XRootD reads it out of the zip itself,
            // every other protocol hands the client the whole archive to extract from (Rucio's client_extract).
            var readsInside = inArchive && p.Scheme == "root";
            if (readsInside) pfn += $"?xrdcl.unzip={Uri.EscapeDataString(f.File.Name)}";
            pfns.Add(new ListedPfn(pfn, r.Rse, r.RseId, r.RseType, r.Volatile, "wan", p.Priority, inArchive && !readsInside));
        }
    }
}
