using System.Text.Json;
using Ferry.Client.Http;
using Ferry.Client.Settings;
using Ferry.Core.Errors;
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
            Url = from.TrimEnd('/'), Account = account ?? "root", Username = account ?? "root",
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

/// <summary>A Ferry server, or a Rucio server for RSEs, attributes, protocols and distances (replicas need Ferry's listing or a dump).</summary>
public sealed class ServerSource(FerryClient client, string url) : ISyncSource
{
    public string Describe => url;
    public FerryClient? Server => client;

    public async Task<List<CatalogueEntry>> ReplicasAsync(string rse, CancellationToken ct)
    {
        var list = new List<CatalogueEntry>();
        try
        {
            await foreach (var r in client.RseReplicasAsync(rse, ct))
                if (r.Str("state") is null or "AVAILABLE")
                    list.Add(new CatalogueEntry(r.Str("scope")!, r.Str("name")!, r.Long("bytes") ?? 0, r.Str("adler32"), r.Str("dataset")));
        }
        catch (FerryApiException e) when (e.Status is 404 or 405 && e.ExceptionClass.StartsWith("HTTP", StringComparison.Ordinal))
        {
            throw new FerryException("SourceNotFerry", 400,
                $"{url} speaks Rucio's dialect but has no Ferry replica listing: give a replica dump of {rse} as --from FILE (JSON lines rse, scope, name, bytes, adler32); nothing was changed");
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
