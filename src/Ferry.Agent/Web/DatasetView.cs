using Ferry.Agent.Downloads;
using Ferry.Agent.State;

namespace Ferry.Agent.Web;

/// <summary>
/// The answer of GET /ds: desktop-rucio's <c>status</c> and <c>filelist</c> (paths relative to DIR, listed once the
/// dataset is local), and beside them the progress and the reason of a failure. A container is summed over its datasets.
/// </summary>
public sealed class DatasetView(AgentStore store, DownloadManager downloads)
{
    public Dictionary<string, object?> Of(RequestRow request)
    {
        var parts = request.Kind == "CONTAINER" ? store.Children(request.Did) : [request];
        var states = parts.Select(p => (Row: p, Progress: ProgressOf(p))).ToList();
        var status = request.Kind == "CONTAINER" && request.State == "local" ? Combined(states.Select(s => s.Row).ToList()) : Status(request);
        var error = request.Error ?? states.Select(s => s.Row.Error).FirstOrDefault(e => e is not null);
        long bytesDone = states.Sum(s => s.Progress.BytesDone), bytesTotal = states.Sum(s => s.Progress.BytesTotal);
        return new Dictionary<string, object?>
        {
            ["status"] = status,
            ["filelist"] = status == "local" ? parts.SelectMany(p => store.Files(p.Did)).Select(f => f.Path).ToList() : new List<string>(),
            ["did"] = request.Did,
            ["kind"] = request.Kind,
            ["state"] = request.State,
            ["files_done"] = states.Sum(s => s.Progress.FilesDone),
            ["files_total"] = states.Sum(s => s.Progress.FilesTotal),
            ["bytes_done"] = bytesDone,
            ["bytes_total"] = bytesTotal,
            ["progress"] = bytesTotal == 0 ? (status == "local" ? 1.0 : 0.0) : Math.Round((double)bytesDone / bytesTotal, 4),
            ["datasets"] = request.Kind == "CONTAINER" ? parts.Select(p => p.Did).ToList() : null,
            ["error"] = status is "downloading" or "local" ? null : error,
        };
    }

    /// <summary>queued and downloading read "downloading" (as desktop-rucio said while a query was queued); a failure shows its reason.</summary>
    private static string Status(RequestRow r) => r.State switch
    {
        "local" => "local",
        "queued" or "downloading" => "downloading",
        _ => r.Status ?? "failed",
    };

    private static string Combined(IReadOnlyList<RequestRow> datasets) =>
        datasets.Any(d => d.State is "queued" or "downloading") ? "downloading"
        : datasets.All(d => d.State == "local") ? "local"
        : datasets.Select(d => d.Status).FirstOrDefault(s => s is not null) ?? "failed";

    private DatasetProgress ProgressOf(RequestRow r)
    {
        if (downloads.Progress(r.Did) is { FilesTotal: > 0 } running) return running;
        var files = store.Files(r.Did);
        var done = files.Where(f => f.IsDone).ToList();
        return new DatasetProgress(done.Count, files.Count, done.Sum(f => f.Bytes), files.Sum(f => f.Bytes), 0);
    }
}
