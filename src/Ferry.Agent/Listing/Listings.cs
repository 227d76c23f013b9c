using System.Collections.Concurrent;
using System.Text.Json;
using Ferry.Agent.Logs;
using Ferry.Agent.Server;
using Ferry.Agent.State;
using Ferry.Client.Http;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Agent.Listing;

public sealed record ListedFile(string Did, long Bytes, long? Events, string? Adler32);

/// <summary>
/// What the catalogue says about a DID. Status: OK, does_not_exist, or error (with Error). Kind: FILE, DATASET or
/// CONTAINER. Datasets: for a container, every dataset below it (nested containers are walked).
/// </summary>
public sealed record DidListing(string Did, string Status, string? Kind, List<ListedFile> Files, List<string> Datasets, string? Error)
{
    public bool Ok => Status == "OK";
}

/// <summary>
/// Listings of DIDs from the server, cached in the state database. Positive answers are kept for ListingTtl, negative
/// ones only for NegativeCacheTtl (a dataset may be registered a minute after someone asked for it). A query runs in
/// the background and always ends with a stored answer: an error is stored as an error, never left "queued".
/// </summary>
public sealed class Listings(AgentStore store, ServerLink link, AgentLog log, TimeProvider time, TimeSpan ttl, TimeSpan negativeTtl)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, Lazy<Task<DidListing>>> _inFlight = new();
    private CancellationToken _stopping = CancellationToken.None;

    public void Stopping(CancellationToken ct) => _stopping = ct;

    /// <summary>The cached answer if it is still fresh, else null (and a query is started when <paramref name="query"/>).</summary>
    public DidListing? Cached(DidRef did, bool query)
    {
        var row = store.Listing(did.ToString());
        if (row is not null)
        {
            var age = time.GetUtcNow().ToUnixTimeMilliseconds() - row.FetchedAt;
            var fresh = row.Status == "OK" ? age < ttl.TotalMilliseconds : age < negativeTtl.TotalMilliseconds;
            if (fresh) return JsonSerializer.Deserialize<DidListing>(row.Json, JsonOptions);
        }
        if (query) _ = QueryAsync(did);
        return null;
    }

    /// <summary>A fresh answer, from the cache or from the server (waiting out outages).</summary>
    public async Task<DidListing> GetAsync(DidRef did, CancellationToken ct) => Cached(did, false) ?? await QueryAsync(did).WaitAsync(ct);

    /// <summary>One query per DID at a time, whoever asks; it runs on the agent's lifetime, not the caller's.</summary>
    private Task<DidListing> QueryAsync(DidRef did)
    {
        var key = did.ToString();
        var lazy = _inFlight.GetOrAdd(key, _ => new Lazy<Task<DidListing>>(() => Task.Run(async () =>
        {
            try { return await FetchAndStoreAsync(did); }
            finally { _inFlight.TryRemove(key, out Lazy<Task<DidListing>>? _); }
        })));
        return lazy.Value;
    }

    private async Task<DidListing> FetchAndStoreAsync(DidRef did)
    {
        DidListing listing;
        try
        {
            listing = await link.CallAsync((c, ct) => FetchAsync(c, did, ct), _stopping);
        }
        catch (FerryException e) when (e.Status == 404)
        {
            listing = new DidListing(did.ToString(), "does_not_exist", null, [], [], e.Message);
        }
        catch (Exception e) when (e is FerryException or JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            // A server that answers garbage gets a stored error, so /dsfiles stops saying "query queued".
            listing = new DidListing(did.ToString(), "error", null, [], [], $"{e.GetType().Name}: {e.Message}");
        }
        store.SaveListing(new ListingRow(listing.Did, listing.Status, JsonSerializer.Serialize(listing, JsonOptions), time.GetUtcNow().ToUnixTimeMilliseconds()));
        log.Info(listing.Ok ? $"listed {listing.Did}: {listing.Kind}, {listing.Files.Count} files, {listing.Files.Sum(f => f.Bytes)} bytes"
            : $"listing {listing.Did}: {listing.Status} ({listing.Error})");
        return listing;
    }

    private static async Task<DidListing> FetchAsync(FerryClient client, DidRef did, CancellationToken ct)
    {
        var meta = await client.GetDidAsync(did, ct: ct);
        var kind = meta.Type.ToUpperInvariant();
        // A DID's own answer carries no event count; only the file listing does.
        if (meta is RucioFileDid file)
            return new DidListing(did.ToString(), "OK", kind, [new ListedFile(did.ToString(), file.Bytes ?? 0, null, file.Adler32)], [], null);
        var files = new List<ListedFile>();
        await foreach (var f in client.StreamFilesAsync(did, ct))
            files.Add(new ListedFile($"{f.Scope}:{f.Name}", f.Bytes ?? throw new FormatException($"no bytes for {f.Name}"), f.Events, f.Adler32));
        var datasets = new List<string>();
        if (kind == "CONTAINER") await CollectDatasetsAsync(client, did, datasets, [], ct);
        return new DidListing(did.ToString(), "OK", kind, files, datasets, null);
    }

    private static async Task CollectDatasetsAsync(FerryClient client, DidRef container, List<string> datasets, HashSet<string> seen, CancellationToken ct)
    {
        if (!seen.Add(container.ToString())) return;
        foreach (var child in await client.ContentAsync(container, ct))
        {
            var childDid = new DidRef(Names.Scope(child.Scope), Names.DidName(child.Name));
            switch (child.Type.ToUpperInvariant())
            {
                case "DATASET": datasets.Add(childDid.ToString()); break;
                case "CONTAINER": await CollectDatasetsAsync(client, childDid, datasets, seen, ct); break;
            }
        }
    }
}
