using System.Text.Json.Nodes;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Core.Dialect;
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
            var lines = new List<RucioDatasetReplica>();
            foreach (var (scope, name) in wanted)
            {
                // Unknown DIDs have no dataset replicas; the listing leaves them out rather than refusing.
                IReadOnlyList<DatasetReplica> rows;
                try { rows = await ListAsync(ctx.RequestServices, scope, name); }
                catch (FerryException e) when (e.ExceptionClass == "DataIdentifierNotFound") { continue; }
                lines.AddRange(rows.Select(r => Line(scope, name, r)));
            }
            return RucioResults.Stream(lines);
        }, "ListDatasetReplicasBulk", "Replicas");
    }

    /// <summary>
    /// A dataset's replicas: per RSE, what it holds AVAILABLE, and an RSE a rule places the dataset on even while none
    /// of its files is there yet, as Rucio shows it (0 available). A rule without locks yet (an empty dataset) counts
    /// where its expression leaves it no choice (as many RSEs as copies); a choice it has not made is not guessed.
    /// </summary>
    public static async Task<IReadOnlyList<DatasetReplica>> ListAsync(IServiceProvider services, string scope, string name)
    {
        var rows = (await services.GetRequiredService<ReplicaCatalog>().DatasetReplicasAsync(scope, name)).ToList();
        var placements = await services.GetRequiredService<DatasetPlacements>().OfAsync(scope, name);
        if (placements.Count == 0) return rows;
        var rseCatalog = services.GetRequiredService<RseCatalog>();
        var rses = (await rseCatalog.ListAsync()).ToDictionary(r => r.Id);
        var did = await services.GetRequiredService<DidCatalog>().GetAsync(scope, name);
        var (bytes, length) = rows.Count > 0 ? (rows[0].Bytes, rows[0].Length) : (did.Bytes ?? 0, did.Length ?? 0);
        foreach (var p in placements)
        {
            IEnumerable<string> targets = p.LockedRseIds;
            if (p.LockedRseIds.Count == 0)
            {
                IReadOnlyList<string> names;
                try { names = await rseCatalog.EvaluateAsync(p.RseExpression); }
                catch (FerryException) { continue; }
                if (names.Count != p.Copies) continue;
                targets = rses.Values.Where(r => names.Contains(r.Name)).Select(r => r.Id);
            }
            foreach (var id in targets)
                if (rses.TryGetValue(id, out var rse) && rows.All(r => r.RseId != id))
                    rows.Add(new DatasetReplica { Rse = rse.Name, RseId = id, Bytes = bytes, Length = length, CreatedAt = p.CreatedAt, UpdatedAt = p.CreatedAt });
        }
        return rows.OrderBy(r => r.Rse, StringComparer.Ordinal).ToList();
    }

    public static RucioDatasetReplica Line(string scope, string name, DatasetReplica r) => new()
    {
        Scope = scope, Name = name, Rse = r.Rse, RseId = r.RseId, Bytes = r.Bytes, Length = r.Length, AvailableBytes = r.AvailableBytes,
        AvailableLength = r.AvailableLength,
        // An empty dataset's replica is UNAVAILABLE, as Rucio makes it: there is nothing there to read.
        State = (r.Length > 0 && r.AvailableLength == r.Length ? ReplicaState.Available : ReplicaState.Unavailable).Wire(),
        CreatedAt = r.CreatedAt, UpdatedAt = r.UpdatedAt, AccessedAt = null,
    };
}
