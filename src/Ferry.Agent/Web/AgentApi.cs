using Ferry.Agent.Downloads;
using Ferry.Agent.Listing;
using Ferry.Agent.Logs;
using Ferry.Agent.Naming;
using Ferry.Agent.State;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ferry.Agent.Web;

/// <summary>
/// desktop-rucio's routes and JSON shapes (status strings included, so scripts written for it keep working), with
/// richer fields beside them. ds_name is read from the query string, or from a form body on POST as hug accepted it.
/// </summary>
public static class AgentApi
{
    /// <summary>How long POST /ds waits for a listing it does not have, to refuse a missing DID or a file at once.</summary>
    private static readonly TimeSpan FailFastWait = TimeSpan.FromSeconds(5);

    public static void MapAgentApi(this WebApplication app)
    {
        app.MapGet("/", () => Results.Content(Page.Html, "text/html; charset=utf-8"));
        app.MapGet("/status", (AgentStatus status) => Results.Json(status.Build()));
        app.MapGet("/logs", (HttpContext ctx, AgentLog log) =>
            ctx.Request.Query["name"].ToString() is { Length: > 0 } name ? Results.Json(log.Lines(name)) : Results.Json(log.Names()));
        app.MapGet("/dsfiles", DsFiles);
        app.MapGet("/ds", (HttpContext ctx, AgentStore store, DatasetView view) => WithName(ctx, did =>
            Task.FromResult(store.Request(did.ToString()) is { } r ? Results.Json(view.Of(r)) : Results.Json(new { status = "not_on_server", filelist = Array.Empty<string>() }))));
        app.MapPost("/ds", PostDs);
        app.MapDelete("/ds", (HttpContext ctx, DownloadManager downloads) => WithName(ctx, async did =>
            await downloads.RemoveAsync(did) ? Results.Json(new { status = "deleted", did = did.ToString() })
                : Results.Json(new { status = "not_on_server", did = did.ToString() }, statusCode: 404)));
        // For the web page: every dataset the agent knows, as GET /ds shows each.
        app.MapGet("/datasets", (AgentStore store, DatasetView view) =>
            Results.Json(store.Requests().Where(r => r.Parent is null).Select(view.Of).ToList()));
    }

    private static Task<IResult> DsFiles(HttpContext ctx, Listings listings) => WithName(ctx, did =>
    {
        var listing = listings.Cached(did, query: true);
        return Task.FromResult(listing switch
        {
            null => Results.Json(new { status = "query queued" }),
            { Ok: true } l => Results.Json(new
            {
                status = "OK", files = l.Files.Select(f => new object?[] { f.Did, f.Bytes, f.Events }).ToList(), kind = l.Kind,
            }),
            { Status: "does_not_exist" } => Results.Json(new { status = "dataset does not exist" }),
            { } l => Results.Json(new { status = "error", error = l.Error }, statusCode: 502),
        });
    });

    private static async Task<IResult> PostDs(HttpContext ctx, AgentStore store, Listings listings, DownloadManager downloads, DatasetView view)
    {
        if (ctx.Request.HasFormContentType) await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        return await WithName(ctx, async did =>
        {
            if (store.Request(did.ToString()) is null or { State: "failed" })
            {
                var listing = listings.Cached(did, query: false);
                if (listing is null)
                {
                    // Wait a little for the catalogue's answer; if the server is slow or away the request is queued anyway.
                    try { listing = await listings.GetAsync(did, ctx.RequestAborted).WaitAsync(FailFastWait, ctx.RequestAborted); }
                    catch (TimeoutException) { }
                }
                switch (listing)
                {
                    case { Status: "does_not_exist" }:
                        return Results.Json(new { status = "does_not_exist", filelist = Array.Empty<string>(), did = did.ToString(), error = listing.Error }, statusCode: 404);
                    case { Ok: true, Kind: "FILE" }:
                        return Results.Json(new { status = "not_a_dataset", filelist = Array.Empty<string>(), did = did.ToString(),
                            error = $"{did} is a file; ask for the dataset or container that holds it" }, statusCode: 400);
                    case { Status: "error" }:
                        return Results.Json(new { status = "error", filelist = Array.Empty<string>(), did = did.ToString(), error = listing.Error }, statusCode: 502);
                }
            }
            downloads.Request(did);
            var answer = view.Of(store.Request(did.ToString())!);
            return Results.Json(answer, statusCode: answer["status"] as string == "local" ? 200 : 202);
        });
    }

    /// <summary>Parses ds_name; a malformed one is answered 400 with the reason, never an exception.</summary>
    private static async Task<IResult> WithName(HttpContext ctx, Func<DidRef, Task<IResult>> handle)
    {
        var text = ctx.Request.Query["ds_name"].ToString();
        if (text.Length == 0 && ctx.Request.HasFormContentType) text = ctx.Request.Form["ds_name"].ToString();
        DidRef did;
        try { did = DatasetName.Parse(text); }
        catch (FerryException e)
        {
            return Results.Json(new { status = "bad_name", filelist = Array.Empty<string>(), error = e.Message }, statusCode: 400);
        }
        return await handle(did);
    }
}
