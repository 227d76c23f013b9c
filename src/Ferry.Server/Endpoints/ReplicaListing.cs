using System.Security;
using System.Text;
using Ferry.Catalog.Replicas;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Ferry.Server.Endpoints;

/// <summary>One PFN of a listed file, in preference order (Priority is 1-based and consecutive).</summary>
internal sealed record ListedPfn(string Pfn, string Rse, string RseId, string Type, bool Volatile, string Domain, int Priority, bool ClientExtract);

/// <summary>A file of a replica listing with its PFNs, replicas and (when asked) every ancestor collection.</summary>
internal sealed record ListedFile(Did File, IReadOnlyList<ListedPfn> Pfns, IReadOnlyList<ReplicaView> Replicas, IReadOnlyList<string>? Parents);

/// <summary>
/// The two forms of a replica listing: newline-delimited JSON (the default) and Metalink 4 (RFC 5854), which is what
/// Rucio's download client asks for and reads: identity, hashes, size, glfn, parents and the URLs with their priority.
/// </summary>
internal static class ReplicaListing
{
    public const string MetalinkType = "application/metalink4+xml";

    /// <summary>
    /// Picks the answer's type from Accept as Rucio does: JSON unless metalink is preferred; 406 when neither is
    /// acceptable (no header and */* accept anything).
    /// </summary>
    public static bool WantsMetalink(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0) return false;
        double Quality(string type) => accept.Where(a => a.MatchesMediaType(type)).Select(a => a.Quality ?? 1).DefaultIfEmpty(0).Max();
        var json = Quality(Http.Wire.Stream);
        var metalink = Quality(MetalinkType);
        if (json <= 0 && metalink <= 0)
            throw new FerryException("UnsupportedRequestedContentType", 406,
                $"This listing is available as {Http.Wire.Stream} or {MetalinkType}, not as '{request.Headers.Accept}'");
        return metalink > json;
    }

    /// <summary>The listing's nrandom: how many of the files to pick at random; null for all of them.</summary>
    public static int? RandomCount(System.Text.Json.Nodes.JsonObject body)
    {
        var n = body.OptLong("nrandom");
        if (n is null or 0) return null;
        if (n is < 0 or > int.MaxValue) throw FerryException.Invalid($"nrandom must be a positive number of files, got {n}");
        return (int)n;
    }

    /// <summary>n of the files chosen at random, in listing order; all of them when there are no more than n.</summary>
    public static List<ListedFile> PickRandom(List<ListedFile> files, int n, Random random) =>
        files.Count <= n ? files : files.Select((f, i) => (f, i)).OrderBy(_ => random.Next()).Take(n).OrderBy(x => x.i).Select(x => x.f).ToList();

    private static bool MatchesMediaType(this MediaTypeHeaderValue accepted, string type) =>
        accepted.MatchesAllTypes || new MediaTypeHeaderValue(type).IsSubsetOf(accepted);

    public static RucioReplica Json(ListedFile f) => new()
    {
        Scope = f.File.Scope, Name = f.File.Name, Bytes = f.File.Bytes, Md5 = f.File.Md5, Adler32 = f.File.Adler32,
        // Two RSEs (or two protocols) can resolve to the same URL when they point at one storage; the first, preferred one is kept.
        Pfns = f.Pfns.DistinctBy(p => p.Pfn).ToDictionary(p => p.Pfn, p => new RucioPfn
        {
            RseId = p.RseId, Rse = p.Rse, Type = p.Type, Volatile = p.Volatile, Domain = p.Domain, Priority = p.Priority, ClientExtract = p.ClientExtract,
        }),
        Rses = f.Replicas.ToDictionary(r => r.Rse, IReadOnlyList<string> (r) => f.Pfns.Where(p => p.RseId == r.RseId).Select(p => p.Pfn).ToList()),
        States = f.Replicas.Count > 0 ? f.Replicas.ToDictionary(r => r.Rse, r => r.State.Wire()) : null,
        Parents = f.Parents,
    };

    /// <param name="policySchema">The glfn namespace: Rucio's policy schema, "generic" for POST; the older GET form says "atlas".</param>
    /// <param name="detailedUrls">POST gives each url its domain and client_extract as well; the older GET form only location and priority.</param>
    public static string Metalink(IEnumerable<ListedFile> files, string policySchema, bool detailedUrls)
    {
        static string X(string s) => SecurityElement.Escape(s);
        var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metalink xmlns=\"urn:ietf:params:xml:ns:metalink\">\n");
        foreach (var f in files)
        {
            var did = $"{f.File.Scope}:{f.File.Name}";
            sb.Append($" <file name=\"{X(f.File.Name)}\">\n");
            if (f.Parents is { Count: > 0 })
            {
                sb.Append("  <parents>\n");
                foreach (var p in f.Parents) sb.Append($"   <did>{X(p)}</did>\n");
                sb.Append("  </parents>\n");
            }
            sb.Append($"  <identity>{X(did)}</identity>\n");
            if (f.File.Adler32 is { } adler) sb.Append($"  <hash type=\"adler32\">{X(adler)}</hash>\n");
            if (f.File.Md5 is { } md5) sb.Append($"  <hash type=\"md5\">{X(md5)}</hash>\n");
            sb.Append($"  <size>{f.File.Bytes ?? 0}</size>\n");
            sb.Append($"  <glfn name=\"/{X(policySchema)}/rucio/{X(did)}\"></glfn>\n");
            foreach (var p in f.Pfns)
                sb.Append(detailedUrls
                    ? $"  <url location=\"{X(p.Rse)}\" domain=\"{p.Domain}\" priority=\"{p.Priority}\" client_extract=\"{(p.ClientExtract ? "true" : "false")}\">{X(p.Pfn)}</url>\n"
                    : $"  <url location=\"{X(p.Rse)}\" priority=\"{p.Priority}\">{X(p.Pfn)}</url>\n");
            sb.Append(" </file>\n");
        }
        return sb.Append("</metalink>\n").ToString();
    }
}

/// <summary>A replica listing as Metalink 4, for the clients that ask for it in Accept (<see cref="ReplicaListing.WantsMetalink"/>).</summary>
internal sealed class MetalinkResult(string xml) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = ReplicaListing.MetalinkType;
        await httpContext.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(xml), httpContext.RequestAborted);
    }
}
