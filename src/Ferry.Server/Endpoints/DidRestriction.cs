using System.Text.Json.Nodes;
using Ferry.Catalog.Dids;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// The optional <c>"dids": [{"scope","name"}, ...]</c> of a site task's request (`ferry site run --dids`): the task
/// then works only on the files below those DIDs. Absent means the whole RSE; an empty list or an unknown DID is
/// refused, so a restricted round can never turn into an unrestricted one.
/// </summary>
internal static class DidRestriction
{
    public static async Task<IReadOnlySet<(string Scope, string Name)>?> ReadAsync(HttpContext ctx, JsonObject body)
    {
        if (body.OptArray("dids") is not { } list) return null;
        if (list.Count == 0) throw FerryException.Invalid("'dids' must name at least one DID (leave it out to work on everything)");
        if (list.Count > DidFileSet.MaxDids) throw FerryException.Invalid($"'dids' names {list.Count} DIDs, at most {DidFileSet.MaxDids} are allowed");
        var dids = list.Select((n, i) =>
        {
            var o = Json.AsObject(n, $"dids entry {i + 1}");
            return new DidRef(Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")));
        }).Distinct().ToList();
        return await ctx.RequestServices.GetRequiredService<DidFileSet>().ExpandAsync(dids);
    }
}
