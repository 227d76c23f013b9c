using Ferry.Catalog.Db;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Retention;
using Ferry.Server.Metrics;
using Ferry.Server.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ferry.Server.Hosting;

/// <summary>
/// What only the HTTP server adds on top of <c>AddFerryCatalog</c> and <c>AddFerryEngine</c> (which `ferry worker`
/// composes too): the OpenAPI document and its JSON conventions, authentication and its limits, and the metrics.
/// </summary>
public static class ServerServices
{
    public static IServiceCollection AddFerryServer(this IServiceCollection s, SecurityOptions security)
    {
        s.AddOpenApi(o => o.AddSchemaTransformer<Http.RucioDateSchema>().AddDocumentTransformer<Http.DidRoutesDocument>());
        // The OpenAPI schemas spell properties as the wire does (snake_case), like Wire.Options, and numbers are numbers.
        s.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        s.AddFerrySecurity(security);
        s.AddFerryMetrics();
        return s;
    }
}
