using Ferry.Catalog.Rses;
using Ferry.Catalog.Transfers;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// Rucio's <c>/requests</c> API over Ferry's transfer queue: a file's request to an RSE (active, or finished as
/// "history"), and the requests on a link by state. Answers are <see cref="RucioRequest"/> records, shaped like the
/// real server's; an unknown RSE is a 404 here (Rucio 41 answers it with a 500).
/// </summary>
internal static class RequestEndpoints
{
    private const string Tag = "Requests";

    public static void MapRequests(this IEndpointRouteBuilder app)
    {
        app.Map("GET", "/requests/list", async ctx =>
        {
            var states = ctx.Query("request_states") is { Length: > 0 } s ? States(s) : throw new FerryException("MissingParameter", 400, "Request state is missing");
            var (src, dst) = (ctx.Query("src_rse"), ctx.Query("dst_rse"));
            if (src is null && dst is null && (ctx.Query("src_site") is not null || ctx.Query("dst_site") is not null))
                throw new FerryException("UnsupportedOperation", 400, "Ferry lists requests by src_rse and dst_rse; RSE 'site' attributes are not used here");
            if (src is null || dst is null)
                throw new FerryException("MissingParameter", 400, src is null ? "Source RSE is missing" : "Destination RSE is missing");
            var rses = ctx.RequestServices.GetRequiredService<RseCatalog>();
            var (source, destination) = (await rses.GetAsync(src), await rses.GetAsync(dst));
            var found = await Listing(ctx).BetweenAsync([source.Id], [destination.Id], states);
            return RucioResults.Stream(found.Select(Of));
        }, "ListRequests", Tag);

        app.Map("GET", "/requests/history/{**rest}", async ctx => RucioResults.Json(Of(await ForFile(ctx, finished: true))), "GetRequestHistory", Tag);
        app.Map("GET", "/requests/{**rest}", async ctx => RucioResults.Json(Of(await ForFile(ctx, finished: false))), "GetRequest", Tag);
    }

    private static RequestListing Listing(HttpContext ctx) => ctx.RequestServices.GetRequiredService<RequestListing>();

    /// <summary>The path is scope/name/rse, where the name may hold slashes (Rucio's path:scope_name).</summary>
    private static async Task<RequestView> ForFile(HttpContext ctx, bool finished)
    {
        var segs = ((string?)ctx.Request.RouteValues["rest"] ?? "").Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (segs.Length < 3 || segs.Any(x => x.Length == 0))
            throw FerryException.NotFound("NotFound", $"No such endpoint: {ctx.Request.Path} (use /requests/SCOPE/NAME/RSE)");
        var (scope, name, rseName) = (Names.Scope(segs[0]), Names.DidName(string.Join('/', segs[1..^1])), segs[^1]);
        var rse = await ctx.RequestServices.GetRequiredService<RseCatalog>().GetAsync(rseName);
        return await Listing(ctx).ForFileAsync(scope, name, rse.Id, finished)
            ?? throw FerryException.NotFound("RequestNotFound", $"No request found for DID {scope}:{name} at RSE {rseName}");
    }

    /// <summary>Rucio's state letters (Q, S, D, F, ...), or the names; states Ferry never enters simply match nothing.</summary>
    private static List<RequestState> States(string text)
    {
        var states = new List<RequestState>();
        foreach (var s in text.Split(',', StringSplitOptions.TrimEntries))
        {
            RequestState? state = s.ToUpperInvariant() switch
            {
                "Q" or "QUEUED" => RequestState.Queued, "S" or "SUBMITTED" => RequestState.Submitted,
                "D" or "DONE" => RequestState.Done, "F" or "FAILED" => RequestState.Failed,
                "G" or "L" or "0" or "1" or "U" or "M" or "A" or "W" or "P" or "SUBMITTING" or "LOST" or "NO_SOURCES" or "ONLY_TAPE_SOURCES"
                    or "SUBMISSION_FAILED" or "MISMATCH_SCHEME" or "SUSPEND" or "WAITING" or "PREPARING" => null,
                _ => throw new FerryException("Invalid", 400, $"Request state value is invalid: '{s}' (use Q, S, D or F)"),
            };
            if (state is { } known) states.Add(known);
        }
        return states;
    }

    private static RucioRequest Of(RequestView r) => new()
    {
        Id = r.Id, Scope = r.Scope, Name = r.Name, DestRseId = r.DestRseId, SourceRseId = r.SourceRseId, State = r.State.Wire(),
        RetryCount = r.Attempts, ErrMsg = r.LastError, RuleId = r.RuleId, Activity = r.Activity, Bytes = r.Bytes, Md5 = r.Md5, Adler32 = r.Adler32,
        StartedAt = r.StartedAt, TransferredAt = r.State == RequestState.Done ? r.FinishedAt : null, Account = r.Account, Priority = r.Priority ?? 3,
        CreatedAt = r.CreatedAt, UpdatedAt = r.UpdatedAt, SourceRse = r.SourceRse, DestRse = r.DestRse,
        Attributes = new RucioRequestAttributes
        {
            Activity = r.Activity, SourceReplicaExpression = r.SourceReplicaExpression, Bytes = r.Bytes, Md5 = r.Md5, Adler32 = r.Adler32,
            Priority = r.Priority ?? 3,
        },
    };
}
