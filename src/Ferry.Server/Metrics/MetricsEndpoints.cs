using Ferry.Catalog.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Metrics;

/// <summary>
/// /metrics (Prometheus text format) and the liveness and readiness probes. All three are open, like /health: the
/// server listens on 127.0.0.1 unless told otherwise, so the scraper is a local agent, and no label carries an
/// account, token or DID name (see docs/metrics.md). An operator exposing the server puts the scrape path behind
/// the proxy's own access rule.
/// </summary>
public static class MetricsEndpoints
{
    public static IServiceCollection AddFerryMetrics(this IServiceCollection services)
    {
        services.AddSingleton(_ => new PrometheusExporter(PrometheusExporter.FerryMeters));
        services.AddSingleton<QueueDepths>();
        return services;
    }

    /// <summary>Starts listening before the first request, so request counts start at zero with the server.</summary>
    public static void StartFerryMetrics(this IServiceProvider services)
    {
        services.GetRequiredService<PrometheusExporter>();
        services.GetRequiredService<QueueDepths>();
    }

    public static IEndpointRouteBuilder MapFerryMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", async (PrometheusExporter exporter, QueueDepths queues, HttpContext ctx) =>
        {
            await queues.RefreshAsync(ctx.RequestAborted);
            return Results.Text(exporter.Scrape(), PrometheusExporter.ContentType);
        }).WithName("Metrics").WithTags("Health");

        app.MapGet("/health/live", () => Results.Text("{\"status\":\"ok\"}", "application/json"))
            .WithName("HealthLive").WithTags("Health");

        app.MapGet("/health/ready", async (CatalogProbe probe, HttpContext ctx) =>
        {
            var expected = CatalogProbe.ExpectedSchemaVersion;
            long version;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                version = await probe.SchemaVersionAsync(timeout.Token);
            }
            catch (Exception e) when (!ctx.RequestAborted.IsCancellationRequested)
            {
                return Results.Json(new { status = "unavailable", reason = $"the catalogue does not answer: {e.Message}" }, statusCode: 503);
            }
            return version >= expected
                ? Results.Json(new { status = "ready", schema_version = version })
                : Results.Json(new { status = "unavailable", reason = $"schema version {version}, migrations up to {expected} not applied", schema_version = version }, statusCode: 503);
        }).WithName("HealthReady").WithTags("Health");
        return app;
    }
}
