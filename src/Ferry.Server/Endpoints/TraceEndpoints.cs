using System.Text.Json;
using Ferry.Catalog.Replicas;
using Ferry.Core.Traces;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// <c>POST /traces/</c> (dialect §10): no token, one trace a request, 201. A read the trace reports updates the
/// replica's last access (<see cref="AccessCatalog"/>); a trace of the wrong shape is a 400 that says what is wrong.
/// </summary>
internal static class TraceEndpoints
{
    public static void MapTraces(this IEndpointRouteBuilder app) => app.Map("POST", "/traces", async ctx =>
    {
        var body = await Wire.ReadBody(ctx) ?? throw new Core.Errors.FerryException("ValueError", 400, "A trace is one JSON object; the body was empty");
        if (RucioTrace.Parse(body.ToElement()) is { } access)
            await ctx.RequestServices.GetRequiredService<AccessCatalog>().RecordAsync(access);
        await Wire.Created(ctx);
    }, "Traces", "Traces");
}
