using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Dialect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Ferry.Server.Http;

/// <summary>
/// Typed results of the dialect's handlers. A handler that returns one of these declares its answer in its signature;
/// the result writes it with the source-generated <see cref="DialectJson"/> metadata and describes itself to the
/// OpenAPI document (<see cref="IEndpointMetadataProvider"/>), so the schema cannot drift from what is sent.
/// </summary>
public static class RucioResults
{
    /// <summary>One object as <c>application/json</c>.</summary>
    public static RucioJson<T> Json<T>(T value, int status = StatusCodes.Status200OK) => new(value, status);

    /// <summary>A listing as Rucio streams it: one JSON object per line, <c>application/x-json-stream</c>.</summary>
    public static RucioStream<T> Stream<T>(IEnumerable<T> items) => new(items);

    /// <summary>Where a type's metadata comes from: the generated context, or (for a type not yet there) reflection.</summary>
    internal static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Wire.Options.GetTypeInfo(typeof(T));
}

public sealed class RucioJson<T>(T value, int status) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<T>
{
    public T Value { get; } = value;
    public int StatusCode { get; } = status;
    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.ContentType = Wire.Json;
        await JsonSerializer.SerializeAsync(httpContext.Response.Body, Value, RucioResults.Info<T>(), httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), [Wire.Json]));
}

public sealed class RucioStream<T>(IEnumerable<T> items) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public IEnumerable<T> Items { get; } = items;
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = Wire.Stream;
        var info = RucioResults.Info<T>();
        var body = httpContext.Response.BodyWriter;
        using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = Wire.Options.Encoder, SkipValidation = true });
        long pending = 0;
        foreach (var item in Items)
        {
            JsonSerializer.Serialize(writer, item, info);
            writer.Flush();
            pending += writer.BytesCommitted + 1;
            writer.Reset();
            body.Write("\n"u8);
            // Hand a page to the socket every 64 KiB: a long listing streams instead of growing in memory.
            if (pending < 64 * 1024) continue;
            pending = 0;
            await body.FlushAsync(httpContext.RequestAborted);
        }
        await body.FlushAsync(httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), [Wire.Stream]));
}
