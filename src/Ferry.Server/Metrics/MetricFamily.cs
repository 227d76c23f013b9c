using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Ferry.Server.Metrics;

/// <summary>One instrument's series, keyed by their rendered label set.</summary>
internal sealed class MetricFamily
{
    private enum Kind { Sum, Value, Histogram }

    private readonly Kind _kind;
    private readonly bool _observable;
    private readonly double[] _bounds = [];
    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

    private MetricFamily(string name, string help, string type, Kind kind, bool observable, double[] bounds)
    {
        Name = name;
        Help = help;
        Type = type;
        _kind = kind;
        _observable = observable;
        _bounds = bounds;
    }

    public string Name { get; }
    public string Help { get; }
    /// <summary>counter, gauge or histogram.</summary>
    public string Type { get; }

    public static MetricFamily For(Instrument instrument)
    {
        var definition = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : instrument.GetType();
        var counter = definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>);
        var histogram = definition == typeof(Histogram<>);
        // Up-down counters add like counters but may fall: a gauge in Prometheus terms. Gauges hold the last value.
        var kind = histogram ? Kind.Histogram
            : counter || definition == typeof(UpDownCounter<>) ? Kind.Sum
            : Kind.Value;
        // An observable counter reports its running total: the value is set, not added.
        if (instrument.IsObservable && kind == Kind.Sum) kind = Kind.Value;
        var help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
        return new MetricFamily(PrometheusText.MetricName(instrument.Name, instrument.Unit, counter), help,
            counter ? "counter" : histogram ? "histogram" : "gauge", kind, instrument.IsObservable,
            histogram ? PrometheusText.Buckets(instrument) : []);
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value)) return;
        var labels = PrometheusText.Labels(tags);
        var series = _series.GetOrAdd(labels, _ => new Series(_bounds.Length));
        lock (series)
        {
            switch (_kind)
            {
                case Kind.Sum: series.Value += value; break;
                case Kind.Value: series.Value = value; break;
                default:
                    // Bucket i counts values <= bound i (Prometheus "le"); the last slot is above every bound.
                    var i = Array.BinarySearch(_bounds, value);
                    series.Buckets[i >= 0 ? i : ~i]++;
                    series.Sum += value;
                    series.Count++;
                    break;
            }
        }
    }

    /// <summary>Observable instruments report their whole state each scrape: a label set not reported now is gone.</summary>
    public void BeginObservation()
    {
        if (_observable) _series.Clear();
    }

    public void WriteSeries(StringBuilder text)
    {
        foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            lock (series)
            {
                if (_kind != Kind.Histogram)
                {
                    text.Append(Name);
                    if (labels.Length > 0) text.Append('{').Append(labels).Append('}');
                    text.Append(' ').Append(PrometheusText.Value(series.Value)).Append('\n');
                    continue;
                }
                var prefix = labels.Length > 0 ? labels + "," : "";
                long cumulative = 0;
                for (var i = 0; i < _bounds.Length; i++)
                {
                    cumulative += series.Buckets[i];
                    text.Append(Name).Append("_bucket{").Append(prefix).Append("le=\"").Append(PrometheusText.Value(_bounds[i])).Append("\"} ")
                        .Append(cumulative).Append('\n');
                }
                text.Append(Name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(series.Count).Append('\n');
                var braces = labels.Length > 0 ? "{" + labels + "}" : "";
                text.Append(Name).Append("_sum").Append(braces).Append(' ').Append(PrometheusText.Value(series.Sum)).Append('\n');
                text.Append(Name).Append("_count").Append(braces).Append(' ').Append(series.Count).Append('\n');
            }
        }
    }

    private sealed class Series(int bounds)
    {
        public double Value;
        public double Sum;
        public long Count;
        public readonly long[] Buckets = new long[bounds + 1];
    }
}
