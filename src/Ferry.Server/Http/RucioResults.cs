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

    /// <inheritdoc cref="Stream{T}(IEnumerable{T})"/>
    public static RucioStream<T> Stream<T>(IAsyncEnumerable<T> items) => new(items);

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

public sealed class RucioStream<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    private readonly IAsyncEnumerable<T> _items;

    public RucioStream(IEnumerable<T> items) => _items = items.ToAsyncEnumerable();

    /// <summary>A listing read from the catalogue a page at a time, written as the pages arrive.</summary>
    public RucioStream(IAsyncEnumerable<T> items) => _items = items;

    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var info = RucioResults.Info<T>();
        return WriteLinesAsync(httpContext, _items, (writer, item) => JsonSerializer.Serialize(writer, item, info));
    }

    /// <summary>Writes one JSON object per line with <paramref name="write"/>, as the items arrive.</summary>
    internal static async Task WriteLinesAsync<TItem>(HttpContext httpContext, IAsyncEnumerable<TItem> items, Action<Utf8JsonWriter, TItem> write)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = Wire.Stream;
        var body = httpContext.Response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = Wire.Options.Encoder, SkipValidation = true });
        long pending = 0;
        await foreach (var item in items.WithCancellation(httpContext.RequestAborted))
        {
            write(writer, item);
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
