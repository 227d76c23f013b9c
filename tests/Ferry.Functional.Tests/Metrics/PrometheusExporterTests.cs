using System.Diagnostics.Metrics;
using Ferry.Server.Metrics;

namespace Ferry.Functional.Tests.Metrics;

/// <summary>Unit tests of the exporter's text against the exposition format's rules (a private meter, no server).</summary>
public sealed class PrometheusExporterTests
{
    [Fact]
    public void Renders_every_instrument_kind_by_the_format_rules()
    {
        var meterName = "Test.Exporter." + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        using var exporter = new PrometheusExporter(m => m.Name == meterName);
        var requests = meter.CreateCounter<long>("test.requests", "{request}", "Requests\nby route \\ status");
        var bytes = meter.CreateCounter<double>("test.moved", "By", "Bytes moved");
        var active = meter.CreateUpDownCounter<int>("test.active", null, "In flight");
        var latency = meter.CreateHistogram<double>("test.latency", "s", "Latency",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1] });
        var depth = 7L;
        meter.CreateObservableGauge("test.depth", () => new Measurement<long>(depth, new KeyValuePair<string, object?>("queue", "q\"1")));

        requests.Add(2, new("route", "/dids/{scope}/{name}"), new("status", 200));
        requests.Add(3, new("status", 200), new("route", "/dids/{scope}/{name}"));   // same series, other tag order
        requests.Add(1, new("route", "a\\b\"c\nd"), new("status", 500), new("bad.key-name", "x"));
        bytes.Add(1.5);
        active.Add(3);
        active.Add(-1);
        foreach (var v in new[] { 0.05, 0.1, 0.3, 0.7, 2.0, 9.0 }) latency.Record(v, new KeyValuePair<string, object?>("daemon", "Conveyor"));

        var text = exporter.Scrape();
        var (samples, types) = PrometheusFormat.Parse(text);

        Assert.Equal("counter", types["test_requests_total"]);
        Assert.Equal("counter", types["test_moved_bytes_total"]);
        Assert.Equal("gauge", types["test_active"]);
        Assert.Equal("histogram", types["test_latency_seconds"]);
        Assert.Equal("gauge", types["test_depth"]);
        Assert.Contains("# HELP test_requests_total Requests\\nby route \\\\ status\n", text);

        Assert.Equal(5, samples.Single(s => s.Name == "test_requests_total" && s.Label("route") == "/dids/{scope}/{name}").Value);
        var odd = samples.Single(s => s.Name == "test_requests_total" && s.Label("status") == "500");
        Assert.Equal("a\\b\"c\nd", odd.Label("route"));
        Assert.Equal("x", odd.Label("bad_key_name"));
        Assert.Contains("route=\"a\\\\b\\\"c\\nd\"", text);
        Assert.Equal(1.5, samples.Single(s => s.Name == "test_moved_bytes_total").Value);
        Assert.Equal(2, samples.Single(s => s.Name == "test_active").Value);
        Assert.Equal("q\"1", samples.Single(s => s.Name == "test_depth").Label("queue"));

        double Bucket(string le) => samples.Single(s => s.Name == "test_latency_seconds_bucket" && s.Label("le") == le).Value;
        Assert.Equal(2, Bucket("0.1"));    // le is inclusive: 0.05 and 0.1
        Assert.Equal(3, Bucket("0.5"));
        Assert.Equal(4, Bucket("1"));
        Assert.Equal(6, Bucket("+Inf"));
        Assert.Equal(6, samples.Single(s => s.Name == "test_latency_seconds_count").Value);
        Assert.Equal(12.15, samples.Single(s => s.Name == "test_latency_seconds_sum").Value, 9);

        // Observable gauges are read at every scrape; a series not reported any more disappears.
        depth = 9;
        Assert.Equal(9, PrometheusFormat.Parse(exporter.Scrape()).Samples.Single(s => s.Name == "test_depth").Value);
    }

    [Fact]
    public void An_empty_exporter_renders_nothing_and_unused_instruments_no_family()
    {
        var meterName = "Test.Empty." + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        using var exporter = new PrometheusExporter(m => m.Name == meterName);
        meter.CreateCounter<long>("test.unused");
        Assert.Equal("", exporter.Scrape());
    }

    [Theory]
    [InlineData("http.server.request.duration", "s", false, "http_server_request_duration_seconds")]
    [InlineData("ferry.transfer.bytes", "By", true, "ferry_transfer_bytes_total")]
    [InlineData("ferry.transfers", "{transfer}", true, "ferry_transfers_total")]
    [InlineData("ferry.queue.transfers", "{request}", false, "ferry_queue_transfers")]
    [InlineData("requests_total", null, true, "requests_total")]
    [InlineData("9lives.rate", "By/s", false, "_9lives_rate_bytes_per_second")]
    [InlineData("a-b c", "ms", false, "a_b_c_milliseconds")]
    public void Names_follow_the_OpenTelemetry_mapping(string instrument, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(instrument, unit, counter));

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.005, "0.005")]
    [InlineData(1e20, "1E+20")]
    public void Values_are_invariant_and_spell_infinities_as_the_format_does(double value, string text) =>
        Assert.Equal(text, PrometheusText.Value(value));
}
