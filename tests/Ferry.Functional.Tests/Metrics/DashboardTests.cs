using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ferry.Functional.Tests.Metrics;

/// <summary>The Grafana dashboard and docs/metrics.md name the same metrics, and the dashboard is importable JSON.</summary>
public sealed partial class DashboardTests
{
    [GeneratedRegex(@"\b((?:ferry|http|kestrel|dotnet)_[a-z0-9_]+)")]
    private static partial Regex MetricName();

    private static string Docs(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ferry.slnx"))) return Path.Combine(dir.FullName, "docs", file);
        throw new InvalidOperationException("cannot find the repository (Ferry.slnx) above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Every_metric_the_dashboard_queries_is_documented()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Docs("grafana-dashboard.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.NotEmpty(panels);
        var documented = File.ReadAllText(Docs("metrics.md"));
        var queried = panels.SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .SelectMany(t => MetricName().Matches(t.GetProperty("expr").GetString()!).Select(m => m.Groups[1].Value))
            .Select(n => Regex.Replace(n, "_(bucket|sum|count)$", ""))
            .Distinct().ToList();
        Assert.Contains("ferry_transfer_bytes_total", queried);
        foreach (var name in queried)
            Assert.True(documented.Contains(name, StringComparison.Ordinal), $"{name} is queried by the dashboard but not listed in docs/metrics.md");
        // Unique panel ids, and every panel on the grid.
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        Assert.All(panels, p => Assert.True(p.GetProperty("gridPos").GetProperty("w").GetInt32() is > 0 and <= 24));
    }
}
