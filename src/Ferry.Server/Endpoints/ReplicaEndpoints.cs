using System.Diagnostics;
using System.Text.Json.Nodes;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Core.Configuration;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Core.Paths;
using Ferry.Engine.Storage;
using Ferry.Server.Http;
using Ferry.Storage;
using Ferry.Storage.Verification;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Endpoints;

/// <summary>Replicas: bulk add, state updates, deletion and listing with PFNs (dialect §7).</summary>
internal static class ReplicaEndpoints
{
    public static void MapReplicas(this IEndpointRouteBuilder app)
    {
        app.Map("POST", "/replicas", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var files = Files(body, ReplicaState.Available);
            foreach (var scope in files.Select(f => f.Scope).Distinct()) await Caller.Of(ctx).RequireScopeWrite(Accounts(ctx), scope);
            await AddVerified(ctx, body.RequiredString("rse"), files, body.OptBool("ignore_availability") ?? true);
            await Wire.Created(ctx);
        }, "AddReplicas", "Replicas");

        app.Map("PUT", "/replicas", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var rse = body.RequiredString("rse");
            var files = Files(body, ReplicaState.Available);
            foreach (var scope in files.Select(f => f.Scope).Distinct()) await Caller.Of(ctx).RequireScopeWrite(Accounts(ctx), scope);
            await VerifyAvailable(ctx, rse, files);
            await ctx.RequestServices.GetRequiredService<ReplicaCatalog>().UpdateStatesAsync(rse, files);
            await Wire.Ok(ctx);
        }, "UpdateReplicas", "Replicas");

        app.Map("DELETE", "/replicas", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var files = Files(body, ReplicaState.Available).Select(f => (f.Scope, f.Name)).ToList();
            // Beyond Rucio, which keeps this for admins: an account may withdraw replicas in its own scopes that no rule
            // holds (the catalogue refuses locked ones), so an upload whose rule was refused can take back what it registered.
            if (!Caller.Of(ctx).IsAdmin)
                foreach (var scope in files.Select(f => f.Scope).Distinct()) await Caller.Of(ctx).RequireScopeWrite(Accounts(ctx), scope);
            await ctx.RequestServices.GetRequiredService<ReplicaCatalog>().DeleteAsync(body.RequiredString("rse"), files);
            await Wire.Ok(ctx);
        }, "DeleteReplicas", "Replicas");

        app.Map("POST", "/replicas/bad", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var list = body.OptArray("replicas") ?? body.OptArray("pfns") ?? throw new FerryException("KeyError", 400, "'replicas' not defined");
            var reason = body.OptString("reason") ?? "declared bad";
            var targets = new List<(string Scope, string Name, string Rse)>();
            // Rucio's clients name the replicas either as {scope, name, rse} objects or as PFNs (its CLI resolves a DID to PFNs).
            var pfns = list.OfType<JsonValue>().Select(i => Json.AsString(i, "Each PFN")).ToList();
            if (pfns.Count > 0)
                targets.AddRange(await ctx.RequestServices.GetRequiredService<ReplicaCatalog>().ResolvePfnsAsync(pfns, ctx.RequestServices.GetRequiredService<RseCatalog>()));
            foreach (var item in list.Where(i => i is not JsonValue))
            {
                if (item is not JsonObject o) throw new FerryException("InvalidType", 400, "Declare replicas as PFNs or {\"scope\",\"name\",\"rse\"} objects");
                targets.Add((Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")), o.RequiredString("rse")));
            }
            foreach (var scope in targets.Select(t => t.Scope).Distinct()) await Caller.Of(ctx).RequireScopeWrite(Accounts(ctx), scope);
            var failures = await ctx.RequestServices.GetRequiredService<ReplicaCatalog>().DeclareBadAsync(targets, reason);
            await Wire.WriteJson(ctx, failures, 201);
        }, "DeclareBadReplicas", "Replicas").Produces<Dictionary<string, List<string>>>(StatusCodes.Status201Created, Wire.Json);

        app.Map("POST", "/replicas/list", async Task<Results<RucioStream<RucioReplica>, MetalinkResult>> (HttpContext ctx) =>
        {
            var body = await Wire.ReadObject(ctx);
            var dids = (body.OptArray("dids") ?? []).Select(d => Json.AsObject(d, "Each DID"))
                .Select(o => (Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")))).ToList();
            var metalink = ReplicaListing.WantsMetalink(ctx.Request);
            // As the dialect has it: without ignore_availability, replicas on RSEs blocked for reads are left out unless
            // the older 'unavailable' key is given; Rucio's client sends true unless told otherwise, its downloader false.
            var readableOnly = !(body.OptBool("ignore_availability") ?? body.ContainsKey("unavailable"));
            var files = await List(ctx, dids, body.OptBool("all_states") ?? false, body.OptString("rse_expression"), body.OptBool("resolve_parents") ?? false,
                body.OptArray("schemes")?.Select(s => s?.ToString() ?? "").ToHashSet(), readableOnly, body.OptBool("resolve_archives") ?? true);
            if (ReplicaListing.RandomCount(body) is { } n) files = ReplicaListing.PickRandom(files, n, ctx.RequestServices.GetRequiredService<Random>());
            if (metalink) return new MetalinkResult(ReplicaListing.Metalink(files, "generic", detailedUrls: true));
            return RucioResults.Stream(files.Select(ReplicaListing.Json));
        }, "ListReplicas", "Replicas");

        app.Map("GET", "/replicas/{scope}/{name}/datasets", async ctx =>
        {
            var (scope, name) = (Names.Scope(ctx.Route("scope")), Names.DidName(ctx.Route("name")));
            var rows = await DatasetReplicaEndpoints.ListAsync(ctx.RequestServices, scope, name);
            return RucioResults.Stream(rows.Select(r => DatasetReplicaEndpoints.Line(scope, name, r)));
        }, "ListDatasetReplicas", "Replicas");

        app.Map("GET", "/replicas/{scope}/{name}", async Task<Results<RucioStream<RucioReplica>, MetalinkResult>> (HttpContext ctx) =>
        {
            var metalink = ReplicaListing.WantsMetalink(ctx.Request);
            var files = await List(ctx, [(Names.Scope(ctx.Route("scope")), Names.DidName(ctx.Route("name")))], false, null, false,
                ctx.Query("schemes") is { } s ? [s] : null);
            // Rucio's older single-DID form names the atlas schema and leaves domain and client_extract off the urls.
            if (metalink) return new MetalinkResult(ReplicaListing.Metalink(files, "atlas", detailedUrls: false));
            return RucioResults.Stream(files.Select(ReplicaListing.Json));
        }, "ListReplicasOfDid", "Replicas");
    }

    public static ReplicaFileSpec ParseFile(JsonObject o, ReplicaState defaultState) => new(
        Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")), o.OptLong("bytes"), o.OptString("adler32"), o.OptString("md5"),
        (o["meta"] as JsonObject)?.OptString("guid") ?? o.OptString("guid"),
        o.OptString("state") is { } s ? EnumNames.ParseReplicaState(s) : defaultState);

    private static List<ReplicaFileSpec> Files(JsonObject body, ReplicaState defaultState)
    {
        var files = body.OptArray("files") ?? throw new FerryException("KeyError", 400, "'files' not defined");
        if (files.Count > ReplicaCatalog.MaxBatch) throw FerryException.Invalid($"At most {ReplicaCatalog.MaxBatch} files per request, got {files.Count}");
        return files.Select(f => ParseFile(Json.AsObject(f, "Each file"), defaultState)).ToList();
    }

    public static async Task AddVerified(HttpContext ctx, string rse, IReadOnlyList<ReplicaFileSpec> files, bool ignoreAvailability)
    {
        var started = Stopwatch.GetTimestamp();
        await VerifyAvailable(ctx, rse, files);
        var verified = Stopwatch.GetTimestamp();
        await ctx.RequestServices.GetRequiredService<ReplicaCatalog>().AddAsync(rse, files, Caller.Of(ctx).Account, ignoreAvailability);
        // FERRY_TIMING=1: where a registration's time goes on the server (bulk upload tuning), one line per request.
        if (Timing)
            ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Ferry.Timing").LogInformation(
                "add replicas: {Files} files on {Rse}: verify {Verify:F0} ms, catalogue {Catalogue:F0} ms", files.Count, rse,
                Stopwatch.GetElapsedTime(started, verified).TotalMilliseconds, Stopwatch.GetElapsedTime(verified).TotalMilliseconds);
    }

    private static readonly bool Timing = FerryEnvironment.Process.Flag("FERRY_TIMING");

    /// <summary>
    /// A replica is AVAILABLE only once its bytes are on the RSE with the right size and checksum. Where the server can
    /// reach the storage itself (posix, or remote storage it holds credentials for), it checks size and the storage's
    /// own checksum before accepting the state; a mismatch refuses the whole request.
    /// </summary>
    private static async Task VerifyAvailable(HttpContext ctx, string rseName, IReadOnlyList<ReplicaFileSpec> files)
    {
        var toCheck = files.Where(f => f.State == ReplicaState.Available).ToList();
        if (toCheck.Count == 0) return;
        var rse = await ctx.RequestServices.GetRequiredService<RseCatalog>().GetAsync(rseName);
        RseEndpoint endpoint;
        try { endpoint = await ctx.RequestServices.GetRequiredService<RseStorage>().OpenAsync(rse.Id, StorageOperation.Read); }
        catch (Exception e) when (e is FerryException or StorageException) { return; }
        // What the catalogue already says about the files, read in one go (a connection per file cost more than the checks).
        var catalogue = await ctx.RequestServices.GetRequiredService<Ferry.Catalog.Dids.DidCatalog>().FindManyAsync(toCheck.Select(f => (f.Scope, f.Name)));
        // Files are checked in parallel: posix re-reads every byte, and the request should cost little more than one read.
        await Parallel.ForEachAsync(toCheck, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount * 2, CancellationToken = ctx.RequestAborted }, async (f, ct) =>
        {
            var known = catalogue.GetValueOrDefault((f.Scope, f.Name));
            var pfn = endpoint.Pfn(Lfn2Pfn.Hash(f.Scope, f.Name));
            var expected = (endpoint.Backend as IServerSideChecksum)?.Algorithm == "md5" ? known?.Md5 ?? f.Md5 : known?.Adler32 ?? f.Adler32;
            long? storedBytes;
            StorageChecksum? actual;
            try { (storedBytes, actual) = await VerifiedCopy.InspectAsync(endpoint.Backend, pfn, withChecksum: expected is not null, ct); }
            catch (StorageException) { return; }
            if (storedBytes is null)
                throw new FerryException("FileConsistencyMismatch", 412, $"'{f.Scope}:{f.Name}' cannot be AVAILABLE on {rseName}: no file at {pfn}");
            var bytes = f.Bytes ?? known?.Bytes;
            if (bytes is { } b && b != storedBytes)
                throw new FerryException("FileConsistencyMismatch", 412, $"'{f.Scope}:{f.Name}' on {rseName} is {storedBytes} bytes, expected {b}");
            if (actual is not null && expected is not null && !string.Equals(actual.Value, expected, StringComparison.OrdinalIgnoreCase))
                throw new FerryException("FileConsistencyMismatch", 412, $"'{f.Scope}:{f.Name}' on {rseName} has {actual.Algorithm} {actual.Value}, expected {expected}");
        });
    }

    internal static async Task<List<ListedFile>> List(HttpContext ctx, List<(string, string)> dids, bool allStates, string? rseExpression, bool parents,
        HashSet<string>? schemes, bool readableOnly = false, bool resolveArchives = false)
    {
        var rses = ctx.RequestServices.GetRequiredService<RseCatalog>();
        IReadOnlySet<string>? rseIds = null;
        if (rseExpression is not null)
        {
            var names = (await rses.EvaluateAsync(rseExpression)).ToHashSet();
            rseIds = (await rses.ListAsync()).Where(r => names.Contains(r.Name)).Select(r => r.Id).ToHashSet();
        }
        var files = await ctx.RequestServices.GetRequiredService<ReplicaCatalog>().ListAsync(dids, allStates, rseIds, parents, readableOnly, skipUnknown: true, resolveArchives);
        var protocolCache = new Dictionary<string, IReadOnlyList<RseProtocol>>();
        var listed = new List<ListedFile>();
        foreach (var f in files)
        {
            var pfns = new List<(string Pfn, string Rse, string RseId, string Type, bool Volatile, int Priority, bool Extract)>();
            async Task AddPfns(ReplicaView r, bool inArchive)
            {
                if (!protocolCache.TryGetValue(r.RseId, out var protocols)) protocolCache[r.RseId] = protocols = await rses.ProtocolsAsync(r.RseId);
                foreach (var p in protocols)
                {
                    if (schemes is not null && !schemes.Contains(p.Scheme)) continue;
                    if (RseStorage.Priority(p, StorageOperation.Read) is not { } prio) continue;
                    var pfn = Lfn2Pfn.Pfn(p.Scheme, p.Hostname, p.Port, p.Prefix, r.Path ?? Lfn2Pfn.Hash(r.Scope, r.Name));
                    // A file inside an archive is served by the archive's URL: XRootD reads it out of the zip itself,
                    // every other protocol hands the client the whole archive to extract from (Rucio's client_extract).
                    var readsInside = inArchive && p.Scheme == "root";
                    if (readsInside) pfn += $"?xrdcl.unzip={Uri.EscapeDataString(f.File.Name)}";
                    pfns.Add((pfn, r.Rse, r.RseId, r.RseType, r.Volatile, prio, inArchive && !readsInside));
                }
            }
            foreach (var r in f.Replicas) await AddPfns(r, inArchive: false);
            foreach (var r in f.InArchives) await AddPfns(r, inArchive: true);
            // The file's own copies come first; archives only after them, as extracting costs the whole archive.
            var ordered = pfns.OrderBy(p => p.Extract).ThenBy(p => p.Priority).ThenBy(p => p.Rse, StringComparer.Ordinal)
                .Select((p, i) => new ListedPfn(p.Pfn, p.Rse, p.RseId, p.Type, p.Volatile, "wan", i + 1, p.Extract)).ToList();
            var where = f.Replicas.Concat(f.InArchives).DistinctBy(r => r.RseId).ToList();
            listed.Add(new ListedFile(f.File, ordered, where, parents ? f.Parents.Order(StringComparer.Ordinal).ToList() : null));
        }
        return listed;
    }

    private static AccountCatalog Accounts(HttpContext ctx) => ctx.RequestServices.GetRequiredService<AccountCatalog>();
}
