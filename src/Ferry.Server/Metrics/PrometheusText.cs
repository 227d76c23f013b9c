using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Ferry.Server.Metrics;

/// <summary>The naming and escaping rules of the Prometheus text format, as pure functions (unit-tested).</summary>
public static class PrometheusText
{
    /// <summary>
    /// OpenTelemetry's mapping, so dashboards written for other exporters read the same names: dots and other
    /// invalid characters become underscores, the unit becomes a suffix ("s" -> _seconds, "By" -> _bytes; annotations
    /// in braces such as {request} are dropped), and counters end in _total.
    /// </summary>
    public static string MetricName(string instrument, string? unit, bool counter)
    {
        var name = Sanitize(instrument, allowColon: true);
        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal)) name += "_" + suffix;
        if (counter && !name.EndsWith("_total", StringComparison.Ordinal)) name += "_total";
        return name;
    }

    public static string UnitSuffix(string? unit) => unit switch
    {
        null or "" or "1" => "",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "By/s" => "bytes_per_second",
        _ when unit.StartsWith('{') => "",
        _ => Sanitize(unit.Replace("/", "_per_"), allowColon: false).Trim('_'),
    };

    public static string LabelName(string key)
    {
        var name = Sanitize(key, allowColon: false);
        // Names starting with __ are reserved for Prometheus itself.
        return name.StartsWith("__", StringComparison.Ordinal) ? "_" + name.TrimStart('_') : name;
    }

    private static string Sanitize(string text, bool allowColon)
    {
        if (text.Length == 0) return "_";
        var b = new StringBuilder(text.Length + 1);
        foreach (var c in text)
            b.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        if (char.IsAsciiDigit(b[0])) b.Insert(0, '_');
        return b.ToString();
    }

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    /// <summary>HELP text escapes backslash and line feed only.</summary>
    public static string EscapeHelp(string help) =>
        help.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    public static string Value(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);

    public static string LabelValue(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The label set in a fixed order (by name), rendered once: it is the series' key and its text.</summary>
    public static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var pairs = new List<(string Name, string Value)>(tags.Length);
        foreach (var t in tags)
        {
            var name = LabelName(t.Key);
            if (name == "le" || pairs.Exists(p => p.Name == name)) continue;
            pairs.Add((name, LabelValue(t.Value)));
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var text = new StringBuilder();
        foreach (var (name, value) in pairs)
            text.Append(text.Length == 0 ? "" : ",").Append(name).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
        return text.ToString();
    }

    /// <summary>Bucket bounds: the instrument's advice when it gives some, else defaults by unit.</summary>
    public static double[] Buckets(Instrument instrument)
    {
        IReadOnlyList<double>? advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(x => (double)x).ToList(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(x => (double)x).ToList(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(x => (double)x).ToList(),
            _ => null,
        };
        if (advised is { Count: > 0 }) return [.. advised.Where(double.IsFinite).Distinct().Order()];
        return instrument.Unit switch
        {
            "s" => [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60],
            "ms" => [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000],
            "By" => [1024, 16384, 262144, 1048576, 16777216, 268435456, 1073741824, 17179869184],
            _ => [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000],
        };
    }
}
