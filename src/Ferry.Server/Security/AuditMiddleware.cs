using Ferry.Catalog.Audit;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Security;

/// <summary>
/// Records every write (any method but GET, HEAD and OPTIONS) and every login attempt once its answer is known:
/// who (account, identity, how authenticated), the route and path, the target (route values), the status and the
/// client address. Refused requests are recorded too. Nothing secret is kept: no headers, bodies or query strings.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, ILogger<AuditMiddleware> logger)
{
    public const string IdentityItem = "ferry.audit.identity";

    public async Task InvokeAsync(HttpContext ctx, AuditCatalog audit, TimeProvider clock)
    {
        try { await next(ctx); }
        finally
        {
            var method = ctx.Request.Method;
            var path = ctx.Request.Path.Value ?? "/";
            var login = path.StartsWith("/auth/", StringComparison.Ordinal) && !path.StartsWith("/auth/validate", StringComparison.Ordinal);
            if (login || method is not ("GET" or "HEAD" or "OPTIONS")) await RecordAsync(ctx, audit, clock, method, path);
        }
    }

    private async Task RecordAsync(HttpContext ctx, AuditCatalog audit, TimeProvider clock, string method, string path)
    {
        var caller = ctx.Items[Caller.ItemKey] as Caller;
        var endpoint = ctx.GetEndpoint() as RouteEndpoint;
        var target = string.Join(' ', ctx.Request.RouteValues.Where(v => v.Value is string).Select(v => $"{v.Key}={Uri.UnescapeDataString((string)v.Value!)}"));
        var entry = new AuditEntry
        {
            At = clock.GetUtcNow(), Account = caller?.Account ?? ctx.Items[Caller.ItemKey + ".account"] as string,
            Identity = caller?.Identity ?? ctx.Items[IdentityItem] as string, AuthType = caller?.AuthType ?? ctx.Items[IdentityItem + ".type"] as string,
            Method = method, Route = endpoint?.RoutePattern.RawText ?? "(none)", Path = Clip(path, 2048), Target = target.Length == 0 ? null : Clip(target, 2048),
            Status = ctx.Response.StatusCode, Remote = ctx.Connection.RemoteIpAddress?.ToString(),
        };
        try { await audit.AddAsync(entry); }
        catch (Exception e) { logger.LogError(e, "Could not write the audit record of {Method} {Path}", method, path); }
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max] + "...";
}
