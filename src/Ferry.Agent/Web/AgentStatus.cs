using Ferry.Agent.Downloads;
using Ferry.Agent.Hosting;
using Ferry.Agent.Server;
using Ferry.Agent.State;

namespace Ferry.Agent.Web;

/// <summary>GET /status: the server link, the credentials (never the secret itself), what is downloading and the queue.</summary>
public sealed class AgentStatus(ServerLink link, DownloadManager downloads, AgentStore store, AgentOptions options)
{
    public Dictionary<string, object?> Build()
    {
        var s = link.Status();
        var requests = store.Requests();
        var running = downloads.Running();
        return new Dictionary<string, object?>
        {
            ["server"] = new Dictionary<string, object?>
            {
                ["url"] = WithoutUserInfo(s.Url), ["reachable"] = s.Reachable, ["failures"] = s.Failures, ["last_error"] = s.LastError,
                ["next_attempt"] = s.NextAttempt?.ToString("O"),
            },
            ["credentials"] = new Dictionary<string, object?>
            {
                ["valid"] = s.CredentialsValid, ["account"] = s.Account, ["expires"] = s.TokenExpires?.ToString("O"),
            },
            ["downloading"] = running.Where(r => r.Progress.FilesTotal > 0 && r.Progress.FilesDone < r.Progress.FilesTotal).Select(r => new Dictionary<string, object?>
            {
                ["did"] = r.Did, ["files_done"] = r.Progress.FilesDone, ["files_total"] = r.Progress.FilesTotal, ["files_active"] = r.Progress.FilesActive,
                ["bytes_done"] = r.Progress.BytesDone, ["bytes_total"] = r.Progress.BytesTotal,
            }).ToList(),
            ["queue_length"] = requests.Count(r => r.State is "queued" or "downloading"),
            ["datasets"] = requests.Where(r => r.Kind != "CONTAINER").GroupBy(r => r.State).ToDictionary(g => g.Key, g => g.Count()),
            ["dir"] = options.Dir,
            ["max_parallel"] = options.MaxParallel,
            ["bandwidth_limit"] = options.BandwidthLimit,
            ["retry_cap_seconds"] = options.RetryCap.TotalSeconds,
        };
    }

    private static string WithoutUserInfo(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && u.UserInfo.Length > 0 ? new UriBuilder(u) { UserName = "", Password = "" }.Uri.ToString() : url;
}
