using System.Collections.Frozen;
using System.Security.Cryptography;
using Ferry.Core.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ferry.Server.Ui;

/// <summary>One file of the web UI as it is served: its bytes, content type and a strong ETag.</summary>
internal sealed record UiAsset(byte[] Bytes, string ContentType, string ETag);

/// <summary>
/// The web UI at /ui: plain HTML, CSS and JavaScript modules embedded in this assembly (Ui/wwwroot, no build step, no
/// CDN), read once at start. The pages are public like any static file; every call they make to the API carries the
/// user's token, so nothing here needs authentication. Served by a middleware in front of routing, as static files
/// are, so the assets are not API endpoints (they are not in the OpenAPI document).
/// </summary>
internal static class UiAssets
{
    public const string Prefix = "/ui";
    private const string ResourcePrefix = "FerryUi/";

    // Only what the UI is made of; a file of another kind in wwwroot fails the start rather than being served as bytes.
    private static readonly FrozenDictionary<string, string> Types = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8", [".css"] = "text/css; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    // Everything comes from this server: the policy is what keeps a later edit from pulling in a CDN by accident.
    private const string Csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static FrozenDictionary<string, UiAsset> All { get; } = Load();

    private static FrozenDictionary<string, UiAsset> Load()
    {
        var assembly = typeof(UiAssets).Assembly;
        var assets = new Dictionary<string, UiAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            if (!Types.TryGetValue(Path.GetExtension(path), out var type))
                throw new InvalidOperationException($"The web UI has a file of an unknown type: {path}");
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            assets["/" + path] = new UiAsset(bytes, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
        }
        if (!assets.ContainsKey("/index.html")) throw new InvalidOperationException("The web UI's index.html is missing from the assembly");
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Serves /ui (redirected to /ui/) and /ui/**; every other path goes on down the pipeline.</summary>
    public static IApplicationBuilder UseFerryUi(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (path == Prefix)
        {
            ctx.Response.StatusCode = StatusCodes.Status302Found;
            ctx.Response.Headers.Location = Prefix + "/";
            return;
        }
        if (!path.StartsWith(Prefix + "/", StringComparison.Ordinal))
        {
            await next(ctx);
            return;
        }
        await ServeAsync(ctx, path[Prefix.Length..]);
    });

    private static async Task ServeAsync(HttpContext ctx, string path)
    {
        if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method))
        {
            // The error writer clears the headers it finds, so Allow goes on as the answer starts.
            ctx.Response.OnStarting(() => { ctx.Response.Headers.Allow = "GET, HEAD"; return Task.CompletedTask; });
            throw new FerryException("MethodNotAllowed", 405, $"The web UI's files are read with GET, not {ctx.Request.Method}");
        }
        if (!All.TryGetValue(path == "/" ? "/index.html" : path, out var asset))
            throw FerryException.NotFound("NotFound", $"The web UI has no file {Prefix}{path}");
        var headers = ctx.Response.Headers;
        headers.ContentSecurityPolicy = Csp;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidated every time (cheap with the ETag), so a new server version never runs with yesterday's scripts.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (ctx.Request.Headers.IfNoneMatch == asset.ETag)
        {
            ctx.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = asset.ContentType;
        ctx.Response.ContentLength = asset.Bytes.Length;
        if (HttpMethods.IsHead(ctx.Request.Method)) return;
        await ctx.Response.Body.WriteAsync(asset.Bytes, ctx.RequestAborted);
    }
}
