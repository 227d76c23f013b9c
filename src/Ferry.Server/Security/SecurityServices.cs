using System.Threading.RateLimiting;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Audit;
using Ferry.Server.Http;
using Ferry.Server.Security.X509;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Security;

public static class SecurityServices
{
    /// <summary>Catalogues, validators and the rate limiter on /auth/* (per client address, fixed window, no queue).</summary>
    public static IServiceCollection AddFerrySecurity(this IServiceCollection services, SecurityOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<IdentityCatalog>();
        services.AddSingleton<AuditCatalog>();
        services.AddSingleton<TrustMaterial>();
        services.AddSingleton<ClientCertificateValidator>();
        services.AddSingleton<OidcValidator>();
        services.AddSingleton<LoginGuard>();
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
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Wire.WriteError(context.HttpContext, "TooManyRequests",
                    $"Too many authentication requests from {context.HttpContext.Connection.RemoteIpAddress}: at most {options.AuthRatePermits} per {options.AuthRateWindow.TotalSeconds:0.###} s; retry after {seconds} s", 429);
            };
        });
        return services;
    }
}
