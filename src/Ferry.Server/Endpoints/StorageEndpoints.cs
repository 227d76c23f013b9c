using Ferry.Catalog.Accounts;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Paths;
using Ferry.Server.Http;
using Ferry.Storage;
using Ferry.Storage.Posix;
using Ferry.Storage.Verification;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// Ferry serves its own posix RSEs over HTTP (a WebDAV subset: GET/HEAD with ranges, PUT, MOVE, DELETE, MKCOL), so a
/// small site or a laptop needs no separate storage server. Declare it on the RSE as protocol <c>http</c>/<c>https</c>
/// with prefix <c>/storage/RSE/</c>. Every request needs a token; writes go only to the path the catalogue's
/// deterministic layout gives a DID of a scope the caller may write (or its temporary name); deleting a final file
/// is for admins, as replicas are otherwise deleted by the reaper.
/// </summary>
internal static class StorageEndpoints
{
    private const string Pattern = "/storage/{rse}/{**path}";

    public static void MapStorage(this IEndpointRouteBuilder app)
    {
        app.MapMethods(Pattern, ["GET", "HEAD"], (Func<HttpContext, Task<IResult>>)Read).WithName("StorageRead").WithTags("Storage");
        app.MapMethods(Pattern, ["PUT"], (Func<HttpContext, Task<IResult>>)Write).WithName("StorageWrite").WithTags("Storage");
        app.MapMethods(Pattern, ["MOVE"], (Func<HttpContext, Task<IResult>>)Move).WithName("StorageMove").WithTags("Storage");
        app.MapMethods(Pattern, ["DELETE"], (Func<HttpContext, Task<IResult>>)Delete).WithName("StorageDelete").WithTags("Storage");
        app.MapMethods(Pattern, ["MKCOL"], (HttpContext _) => Results.StatusCode(201)).WithName("StorageMkcol").WithTags("Storage");
    }

    private static async Task<(PosixBackend Backend, string Pfn, string Path)> Locate(HttpContext ctx, string? path = null)
    {
        var rseName = ctx.Route("rse");
        var rses = ctx.RequestServices.GetRequiredService<RseCatalog>();
        var rse = await rses.GetAsync(rseName);
        var posix = (await rses.ProtocolsAsync(rse.Id)).FirstOrDefault(p => p.Scheme is "file" or "posix")
            ?? throw new FerryException("RSEProtocolNotSupported", 404, $"RSE {rseName} has no posix storage for Ferry to serve");
        if (path is null)
        {
            RefuseEncodedSlash(ctx);
            path = (string?)ctx.Request.RouteValues["path"] ?? "";
        }
        var backend = new PosixBackend(posix.Prefix);
        var pfn = "file://localhost" + Lfn2Pfn.NormalisePrefix(posix.Prefix) + path;
        backend.LocalPath(pfn);
        return (backend, pfn, path);
    }

    /// <summary>
    /// The server decodes the path and resolves "." and ".." but keeps %2F encoded, so "..%2Fx" would reach the disk as
    /// one odd name: a 404 on GET, a 401 on PUT and a 204 on DELETE, as if something had been deleted. No file Ferry
    /// stores has a '/' inside a name, so such a path is refused alike on every method, before it reaches the disk.
    /// </summary>
    private static void RefuseEncodedSlash(HttpContext ctx)
    {
        var raw = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget ?? ctx.Request.Path.Value ?? "";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var target = query < 0 ? raw : raw[..query];
        if (target.Contains("%2F", StringComparison.OrdinalIgnoreCase))
            throw new FerryException("InvalidPath", 400, $"'{target}' has an encoded '/' (%2F): a storage path names a file inside the RSE prefix with plain '/' only");
    }

    private static async Task<IResult> Read(HttpContext ctx)
    {
        var (backend, pfn, _) = await Locate(ctx);
        var local = backend.LocalPath(pfn);
        if (!File.Exists(local)) throw FerryException.NotFound("FileNotFound", $"No file at {ctx.Request.Path}");
        if (HttpMethods.IsHead(ctx.Request.Method) && ctx.Request.Headers["Want-Digest"].ToString().Contains("adler32", StringComparison.OrdinalIgnoreCase)
            && await backend.ChecksumAsync(pfn, ctx.RequestAborted) is { } sum)
            ctx.Response.Headers["Digest"] = "adler32=" + sum.Value;
        // Ranges and conditional requests go through the framework's file result; a plain GET of the whole file (what
        // downloads do) is sent in 1 MiB blocks, where the framework's fallback writes and flushes 64 KiB at a time.
        if (HttpMethods.IsHead(ctx.Request.Method) || ctx.Request.Headers.Range.Count > 0 || ctx.Request.Headers.IfRange.Count > 0
            || ctx.Request.Headers.IfModifiedSince.Count > 0 || ctx.Request.Headers.IfNoneMatch.Count > 0)
            return Results.File(local, "application/octet-stream", enableRangeProcessing: true);
        await SendWholeAsync(ctx, local);
        return Results.Empty;
    }

    private static async Task SendWholeAsync(HttpContext ctx, string local)
    {
        const int block = 1 << 20;
        await using var file = new FileStream(local, new FileStreamOptions
        {
            Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, BufferSize = 0,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });
        ctx.Response.ContentType = "application/octet-stream";
        ctx.Response.ContentLength = file.Length;
        ctx.Response.Headers.AcceptRanges = "bytes";
        ctx.Response.Headers.LastModified = File.GetLastWriteTimeUtc(local).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(block);
        try
        {
            int n;
            while ((n = await file.ReadAsync(buffer.AsMemory(0, block), ctx.RequestAborted)) > 0)
                await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, n), ctx.RequestAborted);
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
    }

    private static async Task<IResult> Write(HttpContext ctx)
    {
        var (backend, pfn, path) = await Locate(ctx);
        await RequireExpectedPath(ctx, path, allowTemporary: true);
        // Replicas are as large as files get; Kestrel's default request body limit is for API calls.
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
        await using (var output = await backend.OpenWriteAsync(pfn, ctx.RequestAborted))
            await ctx.Request.Body.CopyToAsync(output, 1 << 20, ctx.RequestAborted);
        return Results.StatusCode(201);
    }

    private static async Task<IResult> Move(HttpContext ctx)
    {
        var (backend, fromPfn, fromPath) = await Locate(ctx);
        var destination = ctx.Request.Headers["Destination"].ToString();
        var marker = $"/storage/{Uri.EscapeDataString(ctx.Route("rse"))}/";
        var at = destination.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) throw FerryException.Invalid($"MOVE needs a Destination on the same RSE (…{marker}…), got '{destination}'");
        var toPath = string.Join('/', destination[(at + marker.Length)..].Split('/').Select(Uri.UnescapeDataString));
        if (fromPath != toPath + VerifiedCopy.TempSuffix)
            throw FerryException.Denied("Ferry's storage only renames a verified temporary file to its final name");
        await RequireExpectedPath(ctx, toPath, allowTemporary: false);
        var (_, toPfn, _) = await Locate(ctx, toPath);
        if (!File.Exists(backend.LocalPath(fromPfn))) throw FerryException.NotFound("FileNotFound", $"No file at {ctx.Request.Path}");
        await backend.MoveAsync(fromPfn, toPfn, ctx.RequestAborted);
        return Results.StatusCode(201);
    }

    private static async Task<IResult> Delete(HttpContext ctx)
    {
        var (backend, pfn, path) = await Locate(ctx);
        if (path.EndsWith(VerifiedCopy.TempSuffix, StringComparison.Ordinal)) await RequireExpectedPath(ctx, path, allowTemporary: true);
        else Caller.Of(ctx).RequireAdmin("delete files from storage directly (the reaper deletes replicas)");
        await backend.DeleteAsync(pfn, ctx.RequestAborted);
        return Results.NoContent();
    }

    /// <summary>The path must be Lfn2Pfn.Hash(scope, name) for a scope the caller may write.</summary>
    private static async Task RequireExpectedPath(HttpContext ctx, string path, bool allowTemporary)
    {
        if (allowTemporary && path.EndsWith(VerifiedCopy.TempSuffix, StringComparison.Ordinal)) path = path[..^VerifiedCopy.TempSuffix.Length];
        var segments = path.Split('/');
        if (segments.Length < 4)
            throw FerryException.Denied($"'{path}' is not where the catalogue puts a file (SCOPE/xx/yy/NAME)");
        var name = segments[^1];
        var scopeDir = string.Join('/', segments[..^3]);
        var accounts = ctx.RequestServices.GetRequiredService<AccountCatalog>();
        foreach (var scope in new[] { scopeDir, scopeDir.Replace('/', '.') }.Distinct())
        {
            if (Lfn2Pfn.Hash(scope, name) != path || await accounts.ScopeOwnerAsync(scope) is null) continue;
            await Caller.Of(ctx).RequireScopeWrite(accounts, scope);
            return;
        }
        throw FerryException.Denied($"'{path}' is not where the catalogue puts a file of any existing scope");
    }
}
