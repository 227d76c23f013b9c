using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ferry.Server.Http;

/// <summary>
/// The dialect's dates are RFC 1123 strings ("Mon, 07 Dec 2026 12:00:00 UTC"), not ISO 8601 date-times: the OpenAPI
/// document says so, as <see cref="Ferry.Core.Dialect.RucioDateJsonConverter"/> writes them.
/// </summary>
internal sealed class RucioDateSchema : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type != typeof(DateTimeOffset)) return Task.CompletedTask;
        var nullable = context.JsonTypeInfo.Type != type;
        schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        schema.Format = "rfc1123";
        schema.Pattern = null;
        schema.Description ??= "RFC 1123 in UTC, e.g. \"Mon, 07 Dec 2026 12:00:00 UTC\"";
        return Task.CompletedTask;
    }
}
