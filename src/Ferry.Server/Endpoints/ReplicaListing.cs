using System.Buffers;
using System.Reflection;
using System.Security;
using System.Text;
using System.Text.Json;
using Ferry.Catalog.Replicas;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
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

    /// <summary>
    /// Writes one file as the JSON object the listing's <see cref="RucioReplica"/> describes, straight from the listed
    /// file instead of building its three dictionaries first: the listing's hot loop.
    /// </summary>
    public static void WriteJson(Utf8JsonWriter w, ListedFile f)
    {
        w.WriteStartObject();
        w.WriteString("scope", f.File.Scope);
        w.WriteString("name", f.File.Name);
        if (f.File.Bytes is { } bytes) w.WriteNumber("bytes", bytes); else w.WriteNull("bytes");
        w.WriteString("md5", f.File.Md5);
        w.WriteString("adler32", f.File.Adler32);
        w.WriteStartObject("pfns");
        for (var i = 0; i < f.Pfns.Count; i++)
        {
            var p = f.Pfns[i];
            // Two RSEs (or two protocols) can resolve to the same URL when they point at one storage; the first, preferred one is kept.
            if (Earlier(f.Pfns, i)) continue;
            w.WriteStartObject(p.Pfn);
            w.WriteString("rse_id", p.RseId);
            w.WriteString("rse", p.Rse);
            w.WriteString("type", p.Type);
            w.WriteBoolean("volatile", p.Volatile);
            w.WriteString("domain", p.Domain);
            w.WriteNumber("priority", p.Priority);
            w.WriteBoolean("client_extract", p.ClientExtract);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartObject("rses");
        foreach (var r in f.Replicas)
        {
            w.WriteStartArray(r.Rse);
            foreach (var p in f.Pfns)
                if (p.RseId == r.RseId) w.WriteStringValue(p.Pfn);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        if (f.Replicas.Count > 0)
        {
            w.WriteStartObject("states");
            foreach (var r in f.Replicas) w.WriteString(r.Rse, r.State.Wire());
            w.WriteEndObject();
        }
        if (f.Parents is { } parents)
        {
            w.WriteStartArray("parents");
            foreach (var p in parents) w.WriteStringValue(p);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static bool Earlier(IReadOnlyList<ListedPfn> pfns, int i)
    {
        for (var j = 0; j < i; j++)
            if (pfns[j].Pfn == pfns[i].Pfn) return true;
        return false;
    }

    public const string MetalinkHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metalink xmlns=\"urn:ietf:params:xml:ns:metalink\">\n";
    public const string MetalinkTail = "</metalink>\n";

    /// <param name="policySchema">The glfn namespace: Rucio's policy schema, "generic" for POST; the older GET form says "atlas".</param>
    /// <param name="detailedUrls">POST gives each url its domain and client_extract as well; the older GET form only location and priority.</param>
    public static void AppendMetalink(StringBuilder sb, ListedFile f, string policySchema, bool detailedUrls)
    {
        static string X(string s) => SecurityElement.Escape(s);
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
}

/// <summary>A replica listing as Metalink 4, for the clients that ask for it in Accept (<see cref="ReplicaListing.WantsMetalink"/>).</summary>
internal sealed class MetalinkResult(IAsyncEnumerable<ListedFile> files, string policySchema, bool detailedUrls) : IResult
{
    public MetalinkResult(IEnumerable<ListedFile> files, string policySchema, bool detailedUrls) : this(files.ToAsyncEnumerable(), policySchema, detailedUrls) { }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = ReplicaListing.MetalinkType;
        var body = httpContext.Response.BodyWriter;
        var sb = new StringBuilder(ReplicaListing.MetalinkHead);
        await foreach (var f in files.WithCancellation(httpContext.RequestAborted))
        {
            ReplicaListing.AppendMetalink(sb, f, policySchema, detailedUrls);
            // Hand a page to the socket every 64 KiB, as the JSON form does.
            if (sb.Length < 64 * 1024) continue;
            await Flush(body, sb, httpContext.RequestAborted);
        }
        sb.Append(ReplicaListing.MetalinkTail);
        await Flush(body, sb, httpContext.RequestAborted);
    }

    private static async Task Flush(System.IO.Pipelines.PipeWriter body, StringBuilder sb, CancellationToken ct)
    {
        foreach (var chunk in sb.GetChunks()) Encoding.UTF8.GetBytes(chunk.Span, body);
        sb.Clear();
        await body.FlushAsync(ct);
    }
}

/// <summary>
/// A replica listing as newline-delimited JSON, written to the socket as the pages of files arrive. Its OpenAPI
/// description is <see cref="RucioStream{T}"/>'s for <see cref="RucioReplica"/>, the type each line is.
/// </summary>
internal sealed class ReplicaJsonStream(IAsyncEnumerable<ListedFile> files) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext) => RucioStream<ListedFile>.WriteLinesAsync(httpContext, files, ReplicaListing.WriteJson);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => RucioStream<RucioReplica>.PopulateMetadata(method, builder);
}
