using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Ferry.Server.Http;

/// <summary>
/// Writes answers the way the Rucio client decodes them: content types compared by exact string, so no charset
/// parameter; long listings as newline-delimited JSON; errors with ExceptionClass/ExceptionMessage headers and body.
/// </summary>
public static class Wire
{
    public const string Json = "application/json";
    public const string Stream = "application/x-json-stream";

    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // The dialect's records come from the generated context; anything else (Ferry's own answers) by reflection.
        TypeInfoResolver = JsonTypeInfoResolver.Combine(DialectJson.Default, new DefaultJsonTypeInfoResolver()),
    };

    public static async Task WriteJson(HttpContext ctx, object? value, int status = 200)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = Json;
        await ctx.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(value, Options));
    }

    /// <summary>A listing written by the same writer as the typed results (<see cref="RucioStream{T}"/>).</summary>
    public static Task WriteStream<T>(HttpContext ctx, IEnumerable<T> items) => new RucioStream<T>(items).ExecuteAsync(ctx);

    public static async Task WriteText(HttpContext ctx, string text, int status)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/html";
        await ctx.Response.WriteAsync(text);
    }

    public static Task Created(HttpContext ctx) => WriteText(ctx, "Created", 201);
    public static Task Ok(HttpContext ctx) => WriteText(ctx, "", 200);

    public static async Task WriteError(HttpContext ctx, string cls, string message, int status)
    {
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        var header = message.ReplaceLineEndings(" ");
        ctx.Response.Headers["ExceptionClass"] = cls;
        ctx.Response.Headers["ExceptionMessage"] = SafeHeader(header.Length > 125 ? header[..125] + "..." : header);
        ctx.Response.ContentType = "application/octet-stream";
        await ctx.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new RucioError(cls, message), DialectJson.Default.RucioError));
    }

    // Kestrel refuses non-ASCII header values; the body keeps the full text.
    private static string SafeHeader(string s) => new(s.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());

    /// <summary>The body as JSON whatever the Content-Type (the Rucio client sends none); empty bodies are null.</summary>
    public static async Task<JsonNode?> ReadBody(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var text = await reader.ReadToEndAsync();
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new FerryException("ValueError", 400, $"The request body is not valid JSON: {e.Message}");
        }
    }

    public static async Task<JsonObject> ReadObject(HttpContext ctx, bool allowEmpty = false)
    {
        var node = await ReadBody(ctx);
        if (node is null && allowEmpty) return [];
        return node as JsonObject ?? throw new FerryException("TypeError", 400, "The request body must be a JSON object");
    }
}
