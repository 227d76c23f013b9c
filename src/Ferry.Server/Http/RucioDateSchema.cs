using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ferry.Server.Http;

/// <summary>
/// The dialect's dates are RFC 1123 strings ("Mon, 07 Dec 2026 12:00:00 UTC"), not ISO 8601 date-times: the OpenAPI
/// document says so, as <see cref="Ferry.Core.Dialect.RucioDateJsonConverter"/> writes them. An account's dates are the
/// exception (<see cref="Ferry.Core.Dialect.RucioIsoDateJsonConverter"/>), and a quota is a plain integer whose converter
/// only reads Rucio's Infinity (<see cref="Ferry.Core.Dialect.RucioLimitJsonConverter"/>), which the schema exporter cannot see.
/// </summary>
internal sealed class RucioDateSchema : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo?.CustomConverter is Ferry.Core.Dialect.RucioLimitJsonConverter)
        {
            schema.Type = JsonSchemaType.Integer;
            schema.Description ??= "Bytes; an unlimited quota is 9223372036854775807";
            return Task.CompletedTask;
        }
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type != typeof(DateTimeOffset)) return Task.CompletedTask;
        var nullable = context.JsonTypeInfo.Type != type;
        schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        schema.Pattern = null;
        if (context.JsonPropertyInfo?.CustomConverter is Ferry.Core.Dialect.RucioIsoDateJsonConverter)
        {
            schema.Format = "iso8601-local";
            schema.Description ??= "ISO 8601 in UTC without a zone, e.g. \"2026-12-07T12:00:00\"";
            return Task.CompletedTask;
        }
        schema.Format = "rfc1123";
        schema.Description ??= "RFC 1123 in UTC, e.g. \"Mon, 07 Dec 2026 12:00:00 UTC\"";
        return Task.CompletedTask;
    }
}
