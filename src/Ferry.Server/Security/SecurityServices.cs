using System.Threading.RateLimiting;
using Ferry.Server.Http;
using Ferry.Server.Security.X509;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Security;

public static class SecurityServices
{
    /// <summary>Validators and the rate limiter on /auth/* (per client address, fixed window, no queue).</summary>
    public static IServiceCollection AddFerrySecurity(this IServiceCollection services, SecurityOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<TrustMaterial>();
        services.AddSingleton<ClientCertificateValidator>();
        services.AddSingleton<OidcValidator>();
        services.AddSingleton<LoginGuard>();
        services.AddSingleton<SessionCache>();
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
                ctx.Request.Path.StartsWithSegments("/auth")
                    ? RateLimitPartition.GetFixedWindowLimiter(ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                        { PermitLimit = options.AuthRatePermits, Window = options.AuthRateWindow, QueueLimit = 0, AutoReplenishment = true })
                    : RateLimitPartition.GetNoLimiter("unlimited"));
            o.OnRejected = async (context, _) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : (int)Math.Ceiling(options.AuthRateWindow.TotalSeconds);
                var ctx = context.HttpContext;
                var message = $"Too many authentication requests from {ctx.Connection.RemoteIpAddress}: at most {options.AuthRatePermits} per {options.AuthRateWindow.TotalSeconds:0.###} s; retry after {seconds} s";
                // Rucio's error shape, plus Retry-After (Wire.WriteError clears headers, so it is written here).
                ctx.Response.StatusCode = 429;
                ctx.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                ctx.Response.Headers["ExceptionClass"] = "TooManyRequests";
                ctx.Response.Headers["ExceptionMessage"] = message;
                ctx.Response.ContentType = "application/octet-stream";
                await ctx.Response.Body.WriteAsync(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
                    new Dictionary<string, string> { ["ExceptionClass"] = "TooManyRequests", ["ExceptionMessage"] = message }));
            };
        });
        return services;
    }
}
