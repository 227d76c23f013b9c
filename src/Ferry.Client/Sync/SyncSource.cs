using System.Text.Json;
using Ferry.Client.Http;
using Ferry.Client.Settings;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Sync;

namespace Ferry.Client.Sync;

/// <summary>Where a sync reads from: another Ferry or Rucio-dialect server, or a replica dump (JSON lines).</summary>
public interface ISyncSource : IDisposable
{
    string Describe { get; }
    /// <summary>The server behind the source, or null for a dump (which holds replicas only).</summary>
    FerryClient? Server { get; }
    Task<List<CatalogueEntry>> ReplicasAsync(string rse, CancellationToken ct);
}

public static class SyncSources
{
    /// <summary>
    /// A URL (http:// or https://) is a server, logged into with <paramref name="account"/> and the password or token in
    /// FERRY_SOURCE_PASSWORD / FERRY_SOURCE_TOKEN (never on the command line); anything else is a dump file.
    /// The server is asked for /ping and logged into now, so an unreachable or foreign source fails before anything changes.
    /// </summary>
    public static async Task<ISyncSource> OpenAsync(string from, string? account, IReadOnlyDictionary<string, string?> env, CancellationToken ct)
    {
        if (!from.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !from.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(from)) throw FerryException.Invalid($"the source '{from}' is neither a server URL (http://, https://) nor an existing dump file");
            return new DumpSource(from);
        }
        var client = new FerryClient(new ClientSettings
        {
            // A Rucio account logs in with a username of its own (root as ddmlab): FERRY_SOURCE_USERNAME, else the account's name.
            Url = from.TrimEnd('/'), Account = account ?? "root", Username = env.GetValueOrDefault("FERRY_SOURCE_USERNAME") is { Length: > 0 } u ? u : account ?? "root",
            Password = env.GetValueOrDefault("FERRY_SOURCE_PASSWORD"), Token = env.GetValueOrDefault("FERRY_SOURCE_TOKEN"), Source = "the sync source",
        });
        try
        {
            await client.PingAsync(ct);
        }
        catch (HttpRequestException e)
        {
            client.Dispose();
            throw new FerryException("SourceUnreachable", 503, $"cannot reach the source {from}: {e.Message}; nothing was changed");
        }
        catch (Exception e) when (e is JsonException or FerryApiException or InvalidOperationException)
        {
            client.Dispose();
            throw new FerryException("SourceNotRucio", 400, $"{from} does not answer GET /ping as a Ferry or Rucio server; nothing was changed");
        }
        if (client.CurrentToken is null) await client.LoginAsync(ct);
        return new ServerSource(client, from);
    }
}

/// <summary>
/// A Ferry server, or a Rucio server. Rucio has no listing of every replica on an RSE: its replicas are read dataset by
/// dataset (the datasets Rucio records a replica of on the RSE), so files outside those are not seen and the listing is
/// <see cref="Partial"/>.
/// </summary>
public sealed class ServerSource(FerryClient client, string url) : ISyncSource
{
    public string Describe => url;
    public FerryClient? Server => client;
    /// <summary>Whether the last listing may lack replicas the source has (read through Rucio's dataset replicas).</summary>
    public bool Partial { get; private set; }

    public async Task<List<CatalogueEntry>> ReplicasAsync(string rse, CancellationToken ct)
    {
        var list = new List<CatalogueEntry>();
        try
        {
            await foreach (var r in client.RseReplicasAsync(rse, ct))
                if (r.Str("state") is null or "AVAILABLE") list.AddRange(Entries(r));
        }
        catch (FerryApiException e) when (e.ExceptionClass == FerryExtensions.MissingCapability)
        {
            return await ThroughDatasetsAsync(rse, ct);
        }
        return list;
    }

    /// <summary>
    /// A row of Ferry's replica listing as one entry per dataset holding the file (one with a null dataset when none
    /// does); a server older than the "datasets" field names one dataset at most.
    /// </summary>
    public static IEnumerable<CatalogueEntry> Entries(JsonElement r)
    {
        List<string?> datasets = r.TryGetProperty("datasets", out var all) && all.ValueKind == JsonValueKind.Array
            ? all.EnumerateArray().Select(d => d.GetString()).Where(d => d is not null).ToList() : [r.Str("dataset")];
        if (datasets.Count == 0) datasets.Add(null);
        return datasets.Select(d => new CatalogueEntry(r.Str("scope")!, r.Str("name")!, r.Long("bytes") ?? 0, r.Str("adler32"), d));
    }

    private async Task<List<CatalogueEntry>> ThroughDatasetsAsync(string rse, CancellationToken ct)
    {
        Partial = true;
        Console.Error.WriteLine($"ferry: {url} has no Ferry replica listing (a Rucio server): reading its replicas on {rse} dataset by dataset (slower; files in no dataset replicated there are not seen)");
        // A file in several datasets comes once per dataset: that is its membership.
        var list = new List<CatalogueEntry>();
        foreach (var ds in await client.ListAsync(HttpMethod.Get, $"replicas/rse/{FerryClient.Escape(rse)}", ct: ct))
        {
            var dataset = new DidRef(ds.Str("scope")!, ds.Str("name")!);
            foreach (var r in await client.ListReplicasAsync([dataset], rseExpression: rse, ct: ct))
            {
                if (r.StateOn(rse) == "AVAILABLE") list.Add(new CatalogueEntry(r.Scope, r.Name, r.Bytes ?? 0, r.Adler32, dataset.ToString()));
            }
        }
        return list;
    }

    public void Dispose() => client.Dispose();
}

public sealed class DumpSource(string path) : ISyncSource
{
    public string Describe => path;
    public FerryClient? Server => null;

    public Task<List<CatalogueEntry>> ReplicasAsync(string rse, CancellationToken ct)
    {
        using var reader = new StreamReader(path);
        return Task.FromResult(ReplicaDump.Read(reader, rse, $"the dump {path}"));
    }

    public void Dispose() { }
}
