using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ferry.Server.Endpoints;

/// <summary>The Rucio client spells some routes with a trailing slash and some without; Ferry answers both.</summary>
internal static class Routes
{
    public static void Map(this IEndpointRouteBuilder app, string method, string pattern, RequestDelegate handler, string name, string tag)
    {
        // ASP.NET routing already ignores one trailing slash, so one registration serves both spellings.
        // Wrapping the handler as a Delegate (not a RequestDelegate) gives the endpoint the metadata the OpenAPI document needs.
        Func<HttpContext, Task> asDelegate = ctx => handler(ctx);
        app.MapMethods(pattern.TrimEnd('/'), [method], (Delegate)asDelegate).WithName(name).WithTags(tag);
    }

    public static string Route(this HttpContext ctx, string key) => Uri.UnescapeDataString((string)ctx.Request.RouteValues[key]!);

    public static string? Query(this HttpContext ctx, string key) => ctx.Request.Query.TryGetValue(key, out var v) ? v.ToString() : null;

    public static bool QueryBool(this HttpContext ctx, string key) =>
        ctx.Query(key) is { } v && (v.Equals("true", StringComparison.OrdinalIgnoreCase) || v == "1");
}
