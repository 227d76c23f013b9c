using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ferry.Engine.Telemetry;

/// <summary>
/// The daemons' instruments (System.Diagnostics.Metrics). A static meter: the daemons are singletons in one process
/// and the exporter (Ferry.Server's /metrics) listens by meter name. Labels carry RSE and daemon names only, never
/// accounts, tokens or DID names (unbounded, and not everyone reading the dashboard may see them).
/// </summary>
public static class EngineMetrics
{
    public const string MeterName = "Ferry.Engine";
    private static readonly Meter Meter = new(MeterName);

    private static readonly double[] SecondsBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    public static readonly Histogram<double> DaemonRound = Meter.CreateHistogram<double>("ferry.daemon.round.duration", "s",
        "Time one daemon round took, by daemon and outcome (work: it handled items; idle: nothing to do; error: the round threw)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    public static readonly Counter<long> DaemonItems = Meter.CreateCounter<long>("ferry.daemon.items", "{item}",
        "Items daemon rounds handled (transfers, rules, deletions, jobs), by daemon");

    public static readonly Counter<long> Transfers = Meter.CreateCounter<long>("ferry.transfers", "{transfer}",
        "Transfer attempts finished, by link (source RSE, destination RSE) and outcome (done, failed)");

    public static readonly Counter<long> TransferBytes = Meter.CreateCounter<long>("ferry.transfer.bytes", "By",
        "Bytes read from the source and sent to the destination, by link, counted as they move (failed attempts included)");

    public static readonly Histogram<double> TransferDuration = Meter.CreateHistogram<double>("ferry.transfer.duration", "s",
        "Time a transfer attempt took, by link and outcome", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    public static readonly Counter<long> Deletions = Meter.CreateCounter<long>("ferry.deletions", "{replica}",
        "Replicas the reaper deleted (bytes then row), by RSE");

    public static readonly Counter<long> DeletionFailures = Meter.CreateCounter<long>("ferry.deletion.failures", "{round}",
        "Reaper rounds on an RSE that failed (storage unreachable), by RSE");

    public static void RecordRound(string daemon, long startTimestamp, int items, bool failed)
    {
        var outcome = failed ? "error" : items > 0 ? "work" : "idle";
        DaemonRound.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
            new KeyValuePair<string, object?>("daemon", daemon), new KeyValuePair<string, object?>("outcome", outcome));
        if (items > 0) DaemonItems.Add(items, new KeyValuePair<string, object?>("daemon", daemon));
    }

    public static TagList Link(string source, string destination) => new()
    {
        { "source_rse", source }, { "destination_rse", destination },
    };
}
