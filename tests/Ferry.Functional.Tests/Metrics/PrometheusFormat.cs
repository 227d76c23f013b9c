using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ferry.Functional.Tests.Metrics;

public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string key) => Labels.TryGetValue(key, out var v) ? v : "";
}

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4, written from the format's rules (not from our exporter), so
/// the tests fail when the output breaks them: names and label names by their grammar, escapes in label values,
/// one TYPE per family before its samples, histogram buckets cumulative and ending at +Inf = _count.
/// </summary>
public static partial class PrometheusFormat
{
    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    public static (List<Sample> Samples, Dictionary<string, string> Types) Parse(string text)
    {
        Assert.True(text.Length == 0 || text.EndsWith('\n'), "the exposition ends with a line feed");
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>();
        var seenSamplesOf = new HashSet<string>();
        foreach (var line in text.Split('\n').SkipLast(1))
        {
            Assert.False(line.Length == 0, "no empty lines");
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ');
                Assert.True(parts.Length == 2 && MetricName().IsMatch(parts[0]), line);
                Assert.Contains(parts[1], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                Assert.True(types.TryAdd(parts[0], parts[1]), $"second TYPE for {parts[0]}");
                Assert.False(seenSamplesOf.Contains(parts[0]), $"TYPE of {parts[0]} after its samples");
                continue;
            }
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var name = line[7..].Split(' ')[0];
                Assert.Matches(MetricName(), name);
                var help = line[(7 + name.Length)..];
                Assert.DoesNotMatch(@"\\[^\\n]", help.Replace(@"\\", ""));
                continue;
            }
            Assert.False(line.StartsWith('#'), $"unknown comment line: {line}");
            var sample = ParseSample(line);
            seenSamplesOf.Add(Family(sample.Name, types));
            samples.Add(sample);
        }
        CheckHistograms(samples, types);
        return (samples, types);
    }

    private static string Family(string name, Dictionary<string, string> types)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(name[..^suffix.Length], out var t) && t == "histogram")
                return name[..^suffix.Length];
        Assert.True(types.ContainsKey(name), $"sample {name} has no TYPE line before it");
        return name;
    }

    private static Sample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ') i++;
        var name = line[..i];
        Assert.True(MetricName().IsMatch(name), $"bad metric name in: {line}");
        var labels = new Dictionary<string, string>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq];
                Assert.True(LabelName().IsMatch(label), $"bad label name '{label}' in: {line}");
                Assert.True(line[eq + 1] == '"', line);
                var value = new StringBuilder();
                var j = eq + 2;
                for (; line[j] != '"'; j++)
                {
                    if (line[j] != '\\') { value.Append(line[j]); continue; }
                    j++;
                    value.Append(line[j] switch
                    {
                        '\\' => '\\', '"' => '"', 'n' => '\n',
                        _ => throw new Xunit.Sdk.XunitException($"bad escape \\{line[j]} in: {line}"),
                    });
                }
                Assert.True(labels.TryAdd(label, value.ToString()), $"label {label} twice in: {line}");
                i = j + 1;
                if (line[i] == ',') i++;
            }
            i++;
        }
        Assert.True(line[i] == ' ', line);
        var text = line[(i + 1)..];
        var number = text switch
        {
            "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, "NaN" => double.NaN,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new Sample(name, labels, number);
    }

    private static void CheckHistograms(List<Sample> samples, Dictionary<string, string> types)
    {
        foreach (var (family, _) in types.Where(t => t.Value == "histogram"))
        {
            var buckets = samples.Where(s => s.Name == family + "_bucket")
                .GroupBy(s => Key(s.Labels.Where(l => l.Key != "le")));
            foreach (var series in buckets)
            {
                var ordered = series.Select(s => (Le: s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], CultureInfo.InvariantCulture), s.Value)).ToList();
                for (var k = 1; k < ordered.Count; k++)
                {
                    Assert.True(ordered[k].Le > ordered[k - 1].Le, $"{family}{{{series.Key}}}: le not increasing");
                    Assert.True(ordered[k].Value >= ordered[k - 1].Value, $"{family}{{{series.Key}}}: bucket counts fall at le={ordered[k].Le}");
                }
                Assert.True(double.IsPositiveInfinity(ordered[^1].Le), $"{family}{{{series.Key}}} lacks le=\"+Inf\"");
                var count = samples.Single(s => s.Name == family + "_count" && Key(s.Labels) == series.Key);
                Assert.Equal(count.Value, ordered[^1].Value);
                Assert.Single(samples, s => s.Name == family + "_sum" && Key(s.Labels) == series.Key);
            }
        }
    }

    private static string Key(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}
