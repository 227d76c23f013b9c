using System.Text.Json.Nodes;
using Ferry.Catalog.Replicas;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>Dataset replicas of many datasets at once (POST /replicas/datasets_bulk), in the form of the single-dataset listing.</summary>
internal static class DatasetReplicaEndpoints
{
    public static void MapDatasetReplicas(this IEndpointRouteBuilder app)
    {
        app.Map("POST", "/replicas/datasets_bulk", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var dids = body.OptArray("dids") ?? throw new FerryException("KeyError", 400, "'dids' not defined");
            if (dids.Count > ReplicaCatalog.MaxBatch) throw FerryException.Invalid($"At most {ReplicaCatalog.MaxBatch} DIDs per request, got {dids.Count}");
            // Every DID is checked before anything is read, so a bad one refuses the whole request as the dialect does.
            var wanted = dids.Select(d => d is JsonObject o && o["scope"] is JsonValue && o["name"] is JsonValue
                    ? (Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")))
                    : throw FerryException.Invalid($"Cannot validate DIDs: each needs a 'scope' and a 'name', got {d?.ToJsonString() ?? "null"}"))
                .Distinct().ToList();
            var catalog = ctx.RequestServices.GetRequiredService<ReplicaCatalog>();
            var lines = new List<Dictionary<string, object?>>();
            foreach (var (scope, name) in wanted)
            {
                // Unknown DIDs have no dataset replicas; the listing leaves them out rather than refusing.
                IReadOnlyList<DatasetReplica> rows;
                try { rows = await catalog.DatasetReplicasAsync(scope, name); }
                catch (FerryException e) when (e.ExceptionClass == "DataIdentifierNotFound") { continue; }
                lines.AddRange(rows.Select(r => Line(scope, name, r)));
            }
            await Wire.WriteStream(ctx, lines);
        }, "ListDatasetReplicasBulk", "Replicas");
    }

    public static Dictionary<string, object?> Line(string scope, string name, DatasetReplica r) => new()
    {
        ["scope"] = scope, ["name"] = name, ["rse"] = r.Rse, ["rse_id"] = r.RseId, ["bytes"] = r.Bytes, ["length"] = r.Length,
        ["available_bytes"] = r.AvailableBytes, ["available_length"] = r.AvailableLength,
        ["state"] = (r.AvailableLength == r.Length ? ReplicaState.Available : ReplicaState.Unavailable).Wire(),
        ["created_at"] = Core.Time.RucioTime.Format(r.CreatedAt), ["updated_at"] = Core.Time.RucioTime.Format(r.UpdatedAt), ["accessed_at"] = null,
    };
}
