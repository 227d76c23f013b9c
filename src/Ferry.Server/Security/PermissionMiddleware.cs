using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Rules;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ferry.Server.Security;

/// <summary>
/// Applies the permission matrix before the endpoint runs: admin rows, and owner rows whose owner is named in the
/// route (the scope of a DID path, a rule id, an account). Owner rows whose targets are in the body (a list of DIDs
/// or replicas, a storage path) are checked item by item in the endpoint, before it changes anything.
/// </summary>
public sealed class PermissionMiddleware(RequestDelegate next)
{
    // The row of each endpoint and method, found once: the matrix lookup normalises the route pattern, which is string
    // work. Weak on the endpoint, so the in-process servers of a test run do not keep each other's endpoints alive.
    private static readonly ConditionalWeakTable<Endpoint, ConcurrentDictionary<string, Permission?>> Resolved = new();

    /// <summary>The matrix row of the request's endpoint, or null when it matched none (or the endpoint has no row).</summary>
    public static Permission? Of(HttpContext ctx) =>
        ctx.GetEndpoint() is RouteEndpoint ep
            ? Resolved.GetValue(ep, static _ => new ConcurrentDictionary<string, Permission?>(StringComparer.Ordinal))
                .GetOrAdd(ctx.Request.Method, static (method, route) => Permissions.Find(method, route), ep.RoutePattern.RawText ?? "")
            : null;

    public async Task InvokeAsync(HttpContext ctx, AccountCatalog accounts, RuleCatalog rules)
    {
        var p = Of(ctx);
        if (p is null || p.Access == Access.Anonymous)
        {
            await next(ctx);
            return;
        }
        var caller = Caller.Of(ctx);
        var what = p.What ?? $"call {p.Method} {p.Route}";
        switch (p.Access, p.Target)
        {
            case (Access.Admin, _):
                caller.RequireAdmin(what);
                break;
            // No scope in the path (bare /dids/): nothing can be written there, and the endpoint says what is wrong.
            case (Access.ScopeOwner, TargetIn.Route) when RouteScope(ctx).Length > 0:
                await caller.RequireScopeWrite(accounts, RouteScope(ctx));
                break;
            case (Access.RuleOwner, TargetIn.Route):
                // An unknown rule is the endpoint's 404.
                if (await rules.FindAsync(Value(ctx, p.Key!)) is { } rule) caller.RequireSelfOrAdmin(rule.Account, what);
                break;
            case (Access.AccountOwner, TargetIn.Route):
                caller.RequireSelfOrAdmin(Value(ctx, p.Key!), what);
                break;
        }
        await next(ctx);
    }

    private static string Value(HttpContext ctx, string key) => Uri.UnescapeDataString(ctx.Request.RouteValues[key] as string ?? "");

    /// <summary>The scope written to: a {scope} route value, or the first segment of the DID dispatcher's path.</summary>
    private static string RouteScope(HttpContext ctx)
    {
        if (ctx.Request.RouteValues["scope"] is string scope) return Uri.UnescapeDataString(scope);
        var rest = ctx.Request.RouteValues["rest"] as string ?? "";
        return Uri.UnescapeDataString(rest.Split('/')[0]);
    }
}
