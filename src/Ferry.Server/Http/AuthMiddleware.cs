using Ferry.Core.Errors;
using Ferry.Server.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Http;

/// <summary>
/// Authenticates every request whose endpoint is not Anonymous in the permission matrix: an opaque token (userpass or
/// X.509 session) or an OIDC JWT, in X-Rucio-Auth-Token or as "Authorization: Bearer". Requests that match no
/// endpoint fall back to the prefixes below, so a 404 still needs a token.
/// </summary>
public sealed class AuthMiddleware(RequestDelegate next)
{
    // /metrics is open like /health: a local scraper, and labels never name accounts or tokens (docs/metrics.md).
    private static readonly string[] Open = ["/ping", "/auth/", "/traces", "/health", "/openapi", "/metrics"];

    public async Task InvokeAsync(HttpContext ctx, SessionCache sessions, OidcValidator oidc)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var permission = PermissionMiddleware.Of(ctx);
        var anonymous = permission is not null ? permission.Access == Access.Anonymous
            : path == "/" || Open.Any(p => path.StartsWith(p, StringComparison.Ordinal));
        if (anonymous)
        {
            await next(ctx);
            return;
        }
        var token = Token(ctx);
        if (string.IsNullOrEmpty(token)) throw new FerryException("ValueError", 400, "Token must be set.");
        if (OidcValidator.LooksLikeJwt(token))
        {
            var bearer = await oidc.ValidateAsync(token, ctx.Request.Headers["X-Rucio-Account"].ToString());
            ctx.Items[Caller.ItemKey] = new Caller(bearer.Account, await sessions.IsAdminAsync(bearer.Account)) { Identity = bearer.Identity, AuthType = "OIDC" };
        }
        else
        {
            var info = await sessions.ValidateAsync(token)
                ?? throw new FerryException("CannotAuthenticate", 401, "Cannot authenticate with given credentials: the token is unknown or expired");
            ctx.Items[Caller.ItemKey] = new Caller(info.Account, await sessions.IsAdminAsync(info.Account)) { AuthType = "TOKEN" };
        }
        await next(ctx);
    }

    /// <summary>The session token of a request: Rucio's header, or an OAuth bearer token.</summary>
    public static string Token(HttpContext ctx)
    {
        var token = ctx.Request.Headers["X-Rucio-Auth-Token"].ToString();
        if (token.Length > 0) return token;
        var authorization = ctx.Request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : "";
    }
}

/// <summary>Turns every failure into Rucio's error shape; only genuine bugs become a 500.</summary>
public sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
{
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(500);

    public async Task InvokeAsync(HttpContext ctx)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await next(ctx);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (elapsed > Slow) logger.LogInformation("Slow request: {Method} {Path} took {Ms:F0} ms", ctx.Request.Method, ctx.Request.Path, elapsed.TotalMilliseconds);
        }
        catch (FerryException e)
        {
            await Wire.WriteError(ctx, e.ExceptionClass, e.Message, e.Status);
        }
        catch (BadHttpRequestException e)
        {
            await Wire.WriteError(ctx, "ValueError", e.Message, 400);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState is Npgsql.PostgresErrorCodes.CharacterNotInRepertoire or Npgsql.PostgresErrorCodes.UntranslatableCharacter)
        {
            // PostgreSQL text cannot hold a NUL byte (SQLite can); the statement failed, so its transaction changed nothing.
            await Wire.WriteError(ctx, "InvalidObject", "A value contains a character the catalogue cannot store (a NUL byte?): " + e.MessageText, 400);
        }
        catch (Ferry.Storage.StorageException e) when (e.Permanent)
        {
            // The RSE's storage cannot do this as configured (no credentials, unsupported operation): not a server bug.
            await Wire.WriteError(ctx, "StorageError", $"The RSE's storage refused the operation: {e.Message}", 409);
        }
        catch (Ferry.Storage.StorageException e) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            // Unreachable or failing storage is an upstream outage: the client may retry later.
            await Wire.WriteError(ctx, "StorageUnavailable", $"The RSE's storage did not answer: {e.Message}", 503);
        }
        catch (Exception e) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(e, "Unhandled error on {Method} {Path}", ctx.Request.Method, ctx.Request.Path);
            await Wire.WriteError(ctx, "RucioException", $"Internal error: {e.GetType().Name}: {e.Message}", 500);
        }
    }
}
