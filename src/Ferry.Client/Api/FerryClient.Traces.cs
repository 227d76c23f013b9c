using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Client.Http;

/// <summary>Traces (dialect §10): what Rucio's clients post after each transfer; Ferry's server records reads as replica accesses.</summary>
public sealed partial class FerryClient
{
    /// <summary>
    /// Reports a completed read of <paramref name="file"/> from <paramref name="rse"/> as Rucio's download trace does,
    /// so that retention by last access sees it. Best effort, like Rucio's client: a lost trace is not worth failing
    /// (or delaying) a download for, so errors are swallowed and false returned.
    /// </summary>
    public async Task<bool> TraceReadAsync(DidRef file, string rse, long bytes, DateTimeOffset started, DateTimeOffset ended, CancellationToken ct = default)
    {
        var trace = new JsonObject
        {
            ["eventType"] = "download", ["eventVersion"] = "ferry", ["clientState"] = "DONE", ["uuid"] = Guid.NewGuid().ToString("N"),
            ["hostname"] = Environment.MachineName, ["account"] = Account ?? _settings.Account, ["localSite"] = "", ["remoteSite"] = rse,
            ["scope"] = file.Scope, ["filename"] = file.Name, ["datasetScope"] = null, ["dataset"] = null, ["filesize"] = bytes,
            ["stateReason"] = "OK", ["transferStart"] = started.ToUnixTimeMilliseconds() / 1000.0, ["transferEnd"] = ended.ToUnixTimeMilliseconds() / 1000.0,
        };
        try
        {
            using var resp = await SendAsync(HttpMethod.Post, "traces/", trace, ct);
            return resp.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or FerryException or TimeoutException
                                  || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
