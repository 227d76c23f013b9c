using System.Diagnostics.Metrics;
using Ferry.Catalog.Metrics;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Metrics;

/// <summary>
/// Queue depths as observable gauges. The catalogue is read asynchronously when /metrics is asked (at most once a
/// second however often scrapers come), and the gauges report that snapshot, so no scrape blocks a thread on SQL.
/// </summary>
public sealed class QueueDepths
{
    public const string MeterName = "Ferry.Server";
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    private readonly CatalogProbe _probe;
    private readonly TimeProvider _clock;
    private readonly ILogger<QueueDepths> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile QueueSnapshot _last = QueueSnapshot.Empty;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private volatile int _catalogUp = 1;

    public QueueDepths(IMeterFactory meters, CatalogProbe probe, TimeProvider clock, ILogger<QueueDepths> logger)
    {
        _probe = probe;
        _clock = clock;
        _logger = logger;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("ferry.queue.transfers", () => _last.Transfers.Select(t =>
            new Measurement<long>(t.Count, new("state", t.State), new("destination_rse", t.Destination))),
            "{request}", "Transfer requests waiting (QUEUED) or running (SUBMITTED), by destination RSE");
        meter.CreateObservableGauge("ferry.queue.deletions", () => _last.Deletions.Select(d =>
            new Measurement<long>(d.Count, new KeyValuePair<string, object?>("rse", d.Label))),
            "{replica}", "Replicas whose tombstone has passed and that no lock holds (the reaper's backlog), by RSE");
        meter.CreateObservableGauge("ferry.catalog.up", () => _catalogUp, null,
            "1 when the last scrape could read the catalogue, else 0 (queue gauges then show the last values read)");
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var now = _clock.GetUtcNow();
            if (now - _readAt < MinInterval) return;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            _last = await _probe.QueuesAsync(timeout.Token);
            _catalogUp = 1;
            _readAt = now;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // A scrape must still answer when the catalogue does not: the failure is itself a metric.
            _catalogUp = 0;
            _logger.LogWarning("Could not read queue depths for /metrics: {Error}", e.Message);
        }
        finally { _gate.Release(); }
    }
}
