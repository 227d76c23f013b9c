using Ferry.Core.Dialect;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ferry.Server.Http;

/// <summary>
/// The DID API is one catch-all route (<c>/dids/{**rest}</c>), because Rucio's DID names may hold slashes and the
/// suffix (files, meta, ...) is found by splitting the path (<see cref="Endpoints.DidPath"/>). The document gets each
/// real route with its answer's record instead, so the DID objects have schemas like every other object.
/// </summary>
internal sealed class DidRoutesDocument : IOpenApiDocumentTransformer
{
    private sealed record Route(string Path, string Method, string Id, Type? Answer, string ContentType, string Summary, int Status = 200);

    private static readonly Route[] Routes =
    [
        new("/dids/{scope}/{name}", "GET", "GetDid", typeof(RucioCollectionDid), Wire.Json, "A DID: a collection as here, a file as RucioFileDid"),
        new("/dids/{scope}/{name}", "POST", "AddDid", null, "text/html", "Add a dataset or container", 201),
        new("/dids/{scope}/{name}/dids", "GET", "ListDidContent", typeof(RucioDidContent), Wire.Stream, "What a collection holds, one level down"),
        new("/dids/{scope}/{name}/dids", "POST", "AttachDids", null, "text/html", "Attach DIDs to a collection, or files to an archive", 201),
        new("/dids/{scope}/{name}/dids", "DELETE", "DetachDids", null, "text/html", "Detach DIDs from a collection"),
        new("/dids/{scope}/{name}/files", "GET", "ListDidFiles", typeof(RucioDidFile), Wire.Stream, "Every file under a DID"),
        new("/dids/{scope}/{name}/parents", "GET", "ListDidParents", typeof(RucioTypedDid), Wire.Stream, "The collections a DID is attached to"),
        new("/dids/{scope}/{name}/status", "PUT", "SetDidStatus", null, "text/html", "Open or close a collection"),
        new("/dids/{scope}/{name}/meta", "GET", "GetDidMeta", typeof(RucioDidColumns), Wire.Json, "Metadata; plugin=JSON or ALL answers a free-form map"),
        new("/dids/{scope}/{name}/meta", "POST", "SetDidMetaBulk", null, "text/html", "Set several metadata keys", 201),
        new("/dids/{scope}/{name}/meta/{key}", "POST", "SetDidMeta", null, "text/html", "Set one metadata key", 201),
        new("/dids/{scope}/{name}/meta", "DELETE", "DeleteDidMeta", null, "text/html", "Delete a metadata key (?key=)"),
        new("/dids/{scope}/{name}/rules", "GET", "ListDidRules", typeof(RucioRule), Wire.Stream, "The rules on a DID"),
        new("/dids/{scope}/{name}/associated_rules", "GET", "ListDidAssociatedRules", typeof(RucioRule), Wire.Stream, "Rules on a DID and on its parents"),
        new("/dids/{scope}/dids/search", "GET", "SearchDids", typeof(RucioDidSearchResult), Wire.Stream, "Search a scope; long=true gives these records, else names"),
    ];

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Paths ??= [];
        foreach (var extra in new[] { typeof(RucioFileDid) })
            await Component(document, context, extra, cancellationToken);
        foreach (var group in Routes.GroupBy(r => r.Path))
        {
            var item = new OpenApiPathItem { Operations = [] };
            foreach (var r in group)
            {
                var operation = new OpenApiOperation
                {
                    OperationId = r.Id, Summary = r.Summary, Tags = new HashSet<OpenApiTagReference> { new("DIDs", document) },
                    Parameters = [.. Parameters(r.Path)], Responses = [],
                    // Served (and permission-checked) by the catch-all; the matrix test looks its row up there.
                    Extensions = new Dictionary<string, IOpenApiExtension> { ["x-ferry-route"] = new JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create("/dids/{rest}")) },
                };
                var ok = new OpenApiResponse { Description = r.Status == 201 ? "Created" : "OK", Content = new Dictionary<string, OpenApiMediaType>() };
                ok.Content[r.ContentType] = new OpenApiMediaType
                {
                    Schema = r.Answer is null ? new OpenApiSchema { Type = JsonSchemaType.String } : await Component(document, context, r.Answer, cancellationToken),
                };
                operation.Responses[r.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ok;
                foreach (var status in new[] { "400", "401", "404" })
                    operation.Responses[status] = new OpenApiResponse
                    {
                        Description = "Rucio's error body",
                        Content = new Dictionary<string, OpenApiMediaType> { ["application/octet-stream"] = new() { Schema = new OpenApiSchemaReference(nameof(RucioError), document) } },
                    };
                item.Operations[HttpMethod.Parse(r.Method)] = operation;
            }
            document.Paths[group.Key] = item;
        }
    }

    private static IEnumerable<IOpenApiParameter> Parameters(string path) =>
        path.Split('/').Where(s => s.StartsWith('{')).Select(s => (IOpenApiParameter)new OpenApiParameter
        {
            Name = s.Trim('{', '}'), In = ParameterLocation.Path, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });

    private static async Task<IOpenApiSchema> Component(OpenApiDocument document, OpenApiDocumentTransformerContext context, Type type, CancellationToken ct)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(type.Name))
            document.Components.Schemas[type.Name] = await context.GetOrCreateSchemaAsync(type, null, ct);
        return new OpenApiSchemaReference(type.Name, document);
    }
}
