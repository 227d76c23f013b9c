using System.Globalization;
using System.Text;

namespace Ferry.Bench.VsRucio;

/// <summary>Every timing of a bench, and the Markdown table of their medians that docs/benchmarks.md takes as is.</summary>
internal sealed class Results
{
    private readonly Dictionary<(string Server, int Files, string Step), List<double>> _times = [];

    private static readonly Dictionary<string, string> StepNames = new()
    {
        [Steps.Register] = "register: `POST /replicas` + dataset + attach, batches of 250",
        [Steps.ListReplicas] = "`POST /replicas/list`, 1,000 DIDs a call",
        [Steps.ListFiles] = "`GET /dids/{scope}/{dataset}/files`",
        [Steps.Rule] = "`POST /rules/` on the dataset (until it returns)",
        [Steps.RuleOk] = "… until the rule is OK",
    };

    public void Add(string server, int files, string step, double seconds)
    {
        if (!_times.TryGetValue((server, files, step), out var list)) _times[(server, files, step)] = list = [];
        list.Add(seconds);
    }

    public string Table(List<string> servers, string? rucio, List<int> sizes)
    {
        var ferries = servers.Where(s => s != rucio).ToList();
        var sb = new StringBuilder();
        sb.Append("| step | files |");
        foreach (var s in servers) sb.Append(CultureInfo.InvariantCulture, $" {s} (s) |");
        if (rucio is not null) foreach (var f in ferries) sb.Append(CultureInfo.InvariantCulture, $" {rucio}/{f} |");
        sb.AppendLine();
        sb.Append("|---|---|").Append(string.Concat(Enumerable.Repeat("---|", servers.Count + (rucio is null ? 0 : ferries.Count)))).AppendLine();
        foreach (var files in sizes)
        {
            foreach (var step in Steps.All)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {StepNames[step]} | {files:N0} |");
                foreach (var s in servers) sb.Append(CultureInfo.InvariantCulture, $" {Cell(s, files, step)} |");
                if (rucio is not null)
                    foreach (var f in ferries)
                        sb.Append(Median(rucio, files, step) is { } r && Median(f, files, step) is { } m && m > 0
                            ? string.Create(CultureInfo.InvariantCulture, $" {r / m:F1}x |") : " |");
                sb.AppendLine();
            }
            foreach (var (step, unit) in new[] { (Steps.ListReplicas, "DIDs/s"), (Steps.ListFiles, "files/s") })
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {unit}, {(step == Steps.ListReplicas ? "replica" : "file")} listing | {files:N0} |");
                foreach (var s in servers)
                    sb.Append(Median(s, files, step) is { } m && m > 0 ? string.Create(CultureInfo.InvariantCulture, $" {files / m:N0} |") : " |");
                if (rucio is not null) foreach (var _ in ferries) sb.Append(" |");
                sb.AppendLine();
            }
        }
        sb.AppendLine();
        sb.AppendLine("Medians of the runs; every run's times (s), in run order:");
        foreach (var ((server, files, step), list) in _times.OrderBy(t => t.Key.Files).ThenBy(t => t.Key.Server, StringComparer.Ordinal))
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {server} {files} {step}: {string.Join(" ", list.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))}");
        return sb.ToString();
    }

    private string Cell(string server, int files, string step) =>
        Median(server, files, step) is { } m ? m.ToString(m < 10 ? "F2" : "F1", CultureInfo.InvariantCulture) : "";

    private double? Median(string server, int files, string step)
    {
        if (!_times.TryGetValue((server, files, step), out var list) || list.Count == 0) return null;
        var sorted = list.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
