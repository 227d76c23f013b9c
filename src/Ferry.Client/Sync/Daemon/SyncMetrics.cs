using System.Globalization;
using System.Text;

namespace Ferry.Client.Sync.Daemon;

/// <summary>
/// The sync daemon's figures in the Prometheus text format, written after every cycle to a file (the textfile
/// collector convention of node_exporter), because the daemon is a client process with no HTTP port of its own.
/// The file is replaced atomically so a scraper never reads half of it.
/// </summary>
public sealed class SyncMetrics
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Phase, string Rse), double> _duration = [];
    private readonly Dictionary<(string Phase, string Rse), long> _failures = [];
    private readonly Dictionary<(string Phase, string Rse), double> _lastSuccess = [];
    private readonly Dictionary<(string Rse, string Kind), long> _diff = [];
    private long _cycles;
    private long _configRejected;
    private double _configLoaded;

    public void Phase(string phase, string rse, TimeSpan took, bool ok, DateTimeOffset now)
    {
        lock (_gate)
        {
            _duration[(phase, rse)] = took.TotalSeconds;
            _failures.TryAdd((phase, rse), 0);
            if (ok) _lastSuccess[(phase, rse)] = now.ToUnixTimeMilliseconds() / 1000.0;
            else _failures[(phase, rse)]++;
        }
    }

    public void Diff(string rse, long missing, long extra, long changed)
    {
        lock (_gate) { _diff[(rse, "missing")] = missing; _diff[(rse, "extra")] = extra; _diff[(rse, "changed")] = changed; }
    }

    public void Cycle() { lock (_gate) _cycles++; }
    public void ConfigRejected() { lock (_gate) _configRejected++; }
    public void ConfigLoaded(DateTimeOffset at) { lock (_gate) _configLoaded = at.ToUnixTimeMilliseconds() / 1000.0; }

    public string Render()
    {
        var s = new StringBuilder();
        lock (_gate)
        {
            Family(s, "ferry_sync_cycles_total", "counter", "Sync cycles completed.");
            s.Append("ferry_sync_cycles_total ").Append(_cycles).Append('\n');
            Family(s, "ferry_sync_config_rejected_total", "counter", "Config reloads refused (the last good config stayed in use).");
            s.Append("ferry_sync_config_rejected_total ").Append(_configRejected).Append('\n');
            Family(s, "ferry_sync_config_loaded_timestamp_seconds", "gauge", "When the config in use was loaded.");
            s.Append("ferry_sync_config_loaded_timestamp_seconds ").Append(Num(_configLoaded)).Append('\n');
            Family(s, "ferry_sync_phase_duration_seconds", "gauge", "Time the last run of each phase took.");
            foreach (var ((phase, rse), v) in _duration.OrderBy(k => k.Key)) s.Append($"ferry_sync_phase_duration_seconds{Labels(phase, rse)} {Num(v)}\n");
            Family(s, "ferry_sync_phase_failures_total", "counter", "Failed runs of each phase (retried next cycle).");
            foreach (var ((phase, rse), v) in _failures.OrderBy(k => k.Key)) s.Append($"ferry_sync_phase_failures_total{Labels(phase, rse)} {v}\n");
            Family(s, "ferry_sync_phase_last_success_timestamp_seconds", "gauge", "When each phase last succeeded.");
            foreach (var ((phase, rse), v) in _lastSuccess.OrderBy(k => k.Key)) s.Append($"ferry_sync_phase_last_success_timestamp_seconds{Labels(phase, rse)} {Num(v)}\n");
            Family(s, "ferry_sync_replica_diff_files", "gauge", "Files the last replica diff found missing, extra or changed on the target.");
            foreach (var ((rse, kind), v) in _diff.OrderBy(k => k.Key)) s.Append($"ferry_sync_replica_diff_files{{rse=\"{Escape(rse)}\",kind=\"{kind}\"}} {v}\n");
        }
        return s.ToString();
    }

    public async Task WriteAsync(string path, CancellationToken ct)
    {
        var temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, Render(), ct);
        File.Move(temp, path, overwrite: true);
    }

    private static void Family(StringBuilder s, string name, string type, string help) =>
        s.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static string Labels(string phase, string rse) => $"{{phase=\"{Escape(phase)}\",rse=\"{Escape(rse)}\"}}";
    private static string Escape(string v) => v.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
    private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
