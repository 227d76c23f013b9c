using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// Rucio's /redirect: a file's name answered with a 303 to one of its URLs (for plain HTTP clients), or with a Metalink
/// of all of them. The misses are plain-text 404s, as the dialect has them.
/// </summary>
internal static class RedirectEndpoints
{
    private static readonly string[] HeaderSchemes = ["davs", "https", "s3"];
    private static readonly string[] MetalinkSchemes = ["http", "https", "root", "davs"];

    public static void MapRedirects(this IEndpointRouteBuilder app)
    {
        app.Map("GET", "/redirect/{scope}/{name}", async ctx =>
        {
            var (scope, name) = (Names.Scope(ctx.Route("scope")), Names.DidName(ctx.Route("name")));
            var schemes = Schemes(ctx, HeaderSchemes);
            var sort = ctx.Query("sort") ?? ctx.Query("select") ?? "random";
            // Points the client at the Metalink form of the same answer, with the choices this request made.
            ctx.Response.Headers.Link = $"<{ctx.Request.Path}/metalink?schemes={string.Join(',', schemes)}&select={sort}>; rel=describedby; type=\"application/metalink+xml\"";
            string? url = null;
            foreach (var file in await (await ReplicaLister.CreateAsync(ctx, false, null, false, schemes.ToHashSet())).ToListAsync([(scope, name)], ctx.RequestAborted))
            {
                if (file.Pfns.Count == 0) continue;
                if (ctx.Query("rse") is { } rse)
                {
                    url = file.Pfns.FirstOrDefault(p => p.Rse == rse)?.Pfn;
                    if (url is null) { await NotFound(ctx, "no redirection possible - no valid RSE for HTTP redirection found"); return; }
                }
                // davs and s3 URLs are served over https, which is what a plain HTTP client can follow.
                else url = Sorted(file.Pfns.Select(p => p.Pfn.Replace("davs://", "https://").Replace("s3://", "https://")).ToList(), sort, ctx.RequestServices.GetRequiredService<Random>())[0];
            }
            if (url is null) { await NotFound(ctx, "no redirection possible - file does not exist"); return; }
            ctx.Response.StatusCode = StatusCodes.Status303SeeOther;
            ctx.Response.Headers.Location = url;
        }, "RedirectToReplica", "Replicas");

        app.Map("GET", "/redirect/{scope}/{name}/metalink", async ctx =>
        {
            RequireMetalinkAccepted(ctx.Request);
            var (scope, name) = (Names.Scope(ctx.Route("scope")), Names.DidName(ctx.Route("name")));
            Sorted([], ctx.Query("sort") ?? ctx.Query("select"), ctx.RequestServices.GetRequiredService<Random>());
            List<ListedFile> files;
            try { files = await (await ReplicaLister.CreateAsync(ctx, false, null, false, Schemes(ctx, MetalinkSchemes).ToHashSet())).ToListAsync([(scope, name)], ctx.RequestAborted); }
            catch (FerryException e) when (e.ExceptionClass is "DataIdentifierNotFound" or "ScopeNotFound") { files = []; }
            if (files.Count == 0) { await NotFound(ctx, "no redirection possible - cannot find the DID"); return; }
            await new MetalinkResult(files, "atlas", detailedUrls: false).ExecuteAsync(ctx);
        }, "RedirectToMetalink", "Replicas");
    }

    private static string[] Schemes(HttpContext ctx, string[] defaults) =>
        ctx.Request.Query["schemes"] is { Count: > 0 } given ? given.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToArray() : defaults;

    /// <summary>
    /// The URLs in the order the sort asks for: random shuffles; geoip and custom_table keep the RSEs' preference order
    /// (Ferry has no location database, so nothing is nearer than anything else). Anything else is refused as the dialect does.
    /// </summary>
    private static List<string> Sorted(List<string> urls, string? sort, Random random)
    {
        if (sort is null or "geoip" or "custom_table") return urls;
        if (sort != "random")
            throw FerryException.NotFound("SortingAlgorithmNotSupported", $"Sorting algorithm: {sort} is not supported. Supported: geoip, custom_table, random");
        return urls.OrderBy(_ => random.Next()).ToList();
    }

    private static void RequireMetalinkAccepted(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0 || accept.Any(a => a.MatchesAllTypes || a.MediaType.Value is ReplicaListing.MetalinkType or "application/*")) return;
        throw new FerryException("UnsupportedRequestedContentType", 406, $"This answer is available as {ReplicaListing.MetalinkType} only, not as '{request.Headers.Accept}'");
    }

    private static async Task NotFound(HttpContext ctx, string text)
    {
        ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        ctx.Response.ContentType = "text/html; charset=utf-8";
        await ctx.Response.WriteAsync(text);
    }
}
