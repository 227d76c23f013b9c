using System.Globalization;
using System.Net;
using System.Text;
using Ferry.Cli.Commands;
using Ferry.Client.Http;

namespace Ferry.Cli.Output;

/// <summary>
/// The usage report as one HTML file with nothing to fetch (inline CSS and SVG, no script): a bar per RSE for the bytes
/// used, drawn over its limit where one is set, and per RSE a bar per top dataset. Bar lengths are proportional to bytes.
/// </summary>
public static class UsageReportHtml
{
    private const int LabelWidth = 220, PlotWidth = 480, ValueWidth = 150, BarHeight = 22, Gap = 8;

    public static string Render(UsageReport r)
    {
        var h = new StringBuilder();
        h.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ferry usage report: ").Append(E(r.Account)).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}")
            .Append("table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #ddd}td:first-child,th:first-child{text-align:left}")
            .Append(".meta{color:#666}.used{fill:#2b7bb9}.limit{fill:#dde8f2}.over{fill:#c0392b}.dataset{fill:#27ae60}svg text{font-size:12px;fill:#222}")
            .Append("</style></head>\n<body>\n<h1>Usage of account ").Append(E(r.Account)).Append("</h1>\n<p class=\"meta\">Generated ").Append(E(r.GeneratedAt))
            .Append(" by ferry usage report").Append(r.RseExpression is null ? "" : $"; RSEs selected by <code>{E(r.RseExpression)}</code>").Append("</p>\n");
        if (r.Rses.Count == 0) return h.Append("<p id=\"empty\">No usage and no limits.</p>\n</body></html>\n").ToString();

        h.Append("<h2>Bytes used per RSE</h2>\n");
        var scale = r.Rses.Max(x => Math.Max(x.Bytes, Finite(x) ?? 0));
        Chart(h, "usage-chart", "Bytes used per RSE", r.Rses.Select(x => (x.Rse, x.Bytes, Finite(x), "used" + (Finite(x) is { } l && x.Bytes > l ? " over" : ""))).ToList(), scale);

        foreach (var rse in r.Rses)
        {
            h.Append("<section class=\"rse\" data-rse=\"").Append(E(rse.Rse)).Append("\">\n<h2>").Append(E(rse.Rse)).Append("</h2>\n<table><tr><th>limit</th><th>used</th><th>files</th><th>of limit</th></tr><tr><td>")
                .Append(E(UsageCommands.Limit(rse))).Append("</td><td>").Append(E(Output.Render.Bytes(rse.Bytes))).Append("</td><td>").Append(rse.Files.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(E(UsageCommands.Percent(rse))).Append("</td></tr></table>\n");
            if (rse.Datasets.Count == 0) { h.Append("<p class=\"meta\">No dataset locked here.</p>\n</section>\n"); continue; }
            h.Append("<p>Top datasets by bytes locked:</p>\n");
            Chart(h, "datasets-" + Id(rse.Rse), $"Top datasets on {rse.Rse}",
                rse.Datasets.Select(d => ($"{d.Scope}:{d.Name}", d.Bytes, (long?)null, "dataset")).ToList(), rse.Datasets.Max(d => d.Bytes));
            h.Append("</section>\n");
        }
        return h.Append("</body></html>\n").ToString();
    }

    private static void Chart(StringBuilder h, string id, string title, IReadOnlyList<(string Label, long Bytes, long? Limit, string Class)> bars, long scale)
    {
        var height = bars.Count * (BarHeight + Gap) + Gap;
        var width = LabelWidth + PlotWidth + ValueWidth;
        h.Append(CultureInfo.InvariantCulture, $"<svg id=\"{id}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{E(title)}\">\n");
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, bytes, limit, cls) = bars[i];
            var y = Gap + i * (BarHeight + Gap);
            h.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth - 8}\" y=\"{y + BarHeight * 0.7:F1}\" text-anchor=\"end\">{E(Shorten(label))}</text>\n");
            if (limit is { } l)
                h.Append(CultureInfo.InvariantCulture, $"<rect class=\"limit\" data-label=\"{E(label)}\" data-bytes=\"{l}\" x=\"{LabelWidth}\" y=\"{y}\" width=\"{Length(l, scale):F2}\" height=\"{BarHeight}\"><title>limit {E(Output.Render.Bytes(l))}</title></rect>\n");
            h.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar {cls}\" data-label=\"{E(label)}\" data-bytes=\"{bytes}\" x=\"{LabelWidth}\" y=\"{y + 3}\" width=\"{Length(bytes, scale):F2}\" height=\"{BarHeight - 6}\"><title>{E(label)}: {E(Output.Render.Bytes(bytes))}</title></rect>\n");
            h.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + PlotWidth + 8}\" y=\"{y + BarHeight * 0.7:F1}\">{E(Output.Render.Bytes(bytes))}{(limit is { } m ? " of " + E(Output.Render.Bytes(m)) : "")}</text>\n");
        }
        h.Append("</svg>\n");
    }

    private static double Length(long bytes, long scale) => scale <= 0 ? 0 : (double)bytes / scale * PlotWidth;

    /// <summary>A limit a bar can be drawn against: set, and neither unlimited nor zero.</summary>
    private static long? Finite(RseUsageInfo r) => r.LimitSet && r.BytesLimit is > 0 and < long.MaxValue ? r.BytesLimit : null;

    private static string Shorten(string s) => s.Length <= 34 ? s : s[..15] + "…" + s[^16..];

    private static string Id(string s) => new(s.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
