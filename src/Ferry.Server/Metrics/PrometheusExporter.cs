using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Ferry.Server.Metrics;

/// <summary>
/// Listens to System.Diagnostics.Metrics instruments and renders them in the Prometheus text exposition format 0.0.4.
/// Written here because no stable exporter package restores from the project's mirror (see docs/dependencies.md);
/// it aggregates cumulatively, as Prometheus expects: counters sum, up-down counters and gauges hold their value,
/// histograms count into fixed buckets (the instrument's advice, else defaults by unit).
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, MetricFamily> _families = new();
    private readonly Lock _scrape = new();

    public PrometheusExporter(Func<Meter, bool> include)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!include(instrument.Meter)) return;
            var family = MetricFamily.For(instrument);
            _families[instrument] = family;
            listener.EnableMeasurementEvents(instrument, family);
        };
        _listener.MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out MetricFamily? _);
        _listener.SetMeasurementEventCallback<long>((_, v, tags, state) => ((MetricFamily)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<int>((_, v, tags, state) => ((MetricFamily)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<short>((_, v, tags, state) => ((MetricFamily)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<byte>((_, v, tags, state) => ((MetricFamily)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<double>((_, v, tags, state) => ((MetricFamily)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<float>((_, v, tags, state) => ((MetricFamily)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, v, tags, state) => ((MetricFamily)state!).Record((double)v, tags));
        _listener.Start();
    }

    /// <summary>The usual set for the server: Ferry's own meters, ASP.NET Core's request and connection meters, the runtime's.</summary>
    public static bool FerryMeters(Meter meter) =>
        meter.Name.StartsWith("Ferry.", StringComparison.Ordinal)
        || meter.Name is "Microsoft.AspNetCore.Hosting" or "Microsoft.AspNetCore.Server.Kestrel" or "System.Runtime";

    /// <summary>Reads observable instruments now and renders every family with at least one series.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            foreach (var family in _families.Values) family.BeginObservation();
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            // Two instruments may map to one name (same instrument name in two meters): one HELP/TYPE, series from both.
            foreach (var group in _families.Values.GroupBy(f => f.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var first = group.First();
                var series = new StringBuilder();
                foreach (var f in group.Where(f => f.Type == first.Type)) f.WriteSeries(series);
                if (series.Length == 0) continue;
                text.Append("# HELP ").Append(first.Name).Append(' ').Append(PrometheusText.EscapeHelp(first.Help)).Append('\n');
                text.Append("# TYPE ").Append(first.Name).Append(' ').Append(first.Type).Append('\n');
                text.Append(series);
            }
            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();
}
