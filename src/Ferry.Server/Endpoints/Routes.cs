using Ferry.Core.Dialect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ferry.Server.Endpoints;

/// <summary>The Rucio client spells some routes with a trailing slash and some without; Ferry answers both.</summary>
internal static class Routes
{
    /// <summary>
    /// Maps one dialect endpoint. Every endpoint may answer Rucio's error shape, so the OpenAPI document says so for
    /// each; callers chain <c>Produces</c>/<c>Accepts</c> with the endpoint's typed records where it has them.
    /// </summary>
    public static RouteHandlerBuilder Map(this IEndpointRouteBuilder app, string method, string pattern, RequestDelegate handler, string name, string tag)
    {
        // ASP.NET routing already ignores one trailing slash, so one registration serves both spellings.
        // Wrapping the handler as a Delegate (not a RequestDelegate) gives the endpoint the metadata the OpenAPI document needs.
        Func<HttpContext, Task> asDelegate = ctx => handler(ctx);
        return app.MapMethods(pattern.TrimEnd('/'), [method], (Delegate)asDelegate).WithName(name).WithTags(tag)
            .Produces<RucioError>(StatusCodes.Status400BadRequest, ErrorContentType)
            .Produces<RucioError>(StatusCodes.Status401Unauthorized, ErrorContentType)
            .Produces<RucioError>(StatusCodes.Status404NotFound, ErrorContentType);
    }

    /// <summary>
    /// Maps one dialect endpoint whose handler returns a typed result (<see cref="Http.RucioResults"/>): the answer's
    /// schema comes from the result's type, so no <c>Produces</c> line is needed for the success case.
    /// </summary>
    public static RouteHandlerBuilder Map<TResult>(this IEndpointRouteBuilder app, string method, string pattern, Func<HttpContext, Task<TResult>> handler,
        string name, string tag) where TResult : IResult =>
        app.MapMethods(pattern.TrimEnd('/'), [method], handler).WithName(name).WithTags(tag)
            .Produces<RucioError>(StatusCodes.Status400BadRequest, ErrorContentType)
            .Produces<RucioError>(StatusCodes.Status401Unauthorized, ErrorContentType)
            .Produces<RucioError>(StatusCodes.Status404NotFound, ErrorContentType);

    /// <summary>Rucio's clients read errors from a JSON body sent as octet-stream (and from the ExceptionClass/ExceptionMessage headers).</summary>
    public const string ErrorContentType = "application/octet-stream";

    public static string Route(this HttpContext ctx, string key) => Uri.UnescapeDataString((string)ctx.Request.RouteValues[key]!);

    public static string? Query(this HttpContext ctx, string key) => ctx.Request.Query.TryGetValue(key, out var v) ? v.ToString() : null;

    public static bool QueryBool(this HttpContext ctx, string key) =>
        ctx.Query(key) is { } v && (v.Equals("true", StringComparison.OrdinalIgnoreCase) || v == "1");
}
