using System.Diagnostics;
using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Metrics;

/// <summary>/metrics, /health/live and /health/ready on a real server, scraped while the conveyor moves real bytes.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_show_bytes_moving_on_the_link_during_a_transfer()
    {
        // One transfer at a time, so the scrapes land between and inside transfers rather than after all of them.
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string>
        {
            ["FERRY_CONVEYOR_PARALLELISM"] = "1", ["FERRY_PER_LINK_LIMIT"] = "1",
        });
        using var api = new RawApi(server);
        using var scraper = new HttpClient { BaseAddress = new Uri(server.Url) };
        var src = await Site.AddPosixRseAsync(api, "MET_SRC");
        await Site.AddPosixRseAsync(api, "MET_DST");
        // 24 MiB each: with 8 MiB files the eleven transfers after the first fit between two scrapes of a test process
        // stalled by a loaded CI machine (only 8 MiB and then the total were seen).
        var files = Site.MakeFiles("user.root", "metrics", 12, _ => 24 << 20);
        await Site.UploadAsync(api, "MET_SRC", src, "metrics_ds", files);
        var total = files.Sum(f => (long)f.Content.Length);

        var before = await ScrapeAsync(scraper);
        Assert.DoesNotContain(before.Samples, s => s.Name == "ferry_transfer_bytes_total" && s.Label("destination_rse") == "MET_DST");

        // purge_replicas: deleting the rule later sends the copies straight to the reaper.
        var rule = (await api.JsonAsync("POST", "/rules/", JsonSerializer.Serialize(new
        {
            dids = new[] { new { scope = "user.root", name = "metrics_ds" } }, copies = 1, rse_expression = "MET_DST", grouping = "DATASET", purge_replicas = true,
        })))[0].GetString()!;
        var seen = new List<double>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromMinutes(3))
        {
            var (samples, _) = await ScrapeAsync(scraper);
            var link = samples.SingleOrDefault(s => s.Name == "ferry_transfer_bytes_total" && s.Label("source_rse") == "MET_SRC" && s.Label("destination_rse") == "MET_DST");
            if (link is not null && (seen.Count == 0 || seen[^1] != link.Value)) seen.Add(link.Value);
            if (link?.Value >= total) break;
            await Task.Delay(50);
        }
        await Site.WaitForRuleAsync(api, rule, "OK", TimeSpan.FromMinutes(1));

        // Several distinct, rising values were seen while the rule was replicating, ending at every byte moved.
        Assert.True(seen.Count >= 3, $"ferry_transfer_bytes_total took only these values: {string.Join(", ", seen)}");
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.Second > p.First), string.Join(", ", seen));
        Assert.True(seen[^1] >= total, $"{seen[^1]} of {total} bytes counted");
        Assert.True(seen[0] < total, "the first value seen was already the final one: no scrape during the transfer");

        var (after, types) = await ScrapeAsync(scraper);
        Assert.Equal(files.Count, after.Single(s => s.Name == "ferry_transfers_total" && s.Label("destination_rse") == "MET_DST" && s.Label("outcome") == "done").Value);
        Assert.Equal("histogram", types["ferry_transfer_duration_seconds"]);
        Assert.Equal("histogram", types["ferry_daemon_round_duration_seconds"]);
        Assert.Contains(after, s => s.Name == "ferry_daemon_round_duration_seconds_count" && s.Label("daemon") == "Conveyor" && s.Label("outcome") == "work");
        Assert.Contains(after, s => s.Name == "ferry_daemon_items_total" && s.Label("daemon") == "Conveyor" && s.Value >= files.Count);

        // Requests by route template and status, with latency buckets.
        Assert.Equal("histogram", types["http_server_request_duration_seconds"]);
        Assert.Contains(after, s => s.Name == "http_server_request_duration_seconds_count" && s.Label("http_route") == "/rules/{id}"
                                    && s.Label("http_response_status_code") == "200" && s.Value >= 1);
        Assert.Contains(after, s => s.Name == "http_server_request_duration_seconds_count" && s.Label("http_route") == "/rses/{rse}"
                                    && s.Label("http_response_status_code") == "201");
        Assert.Contains(after, s => s.Name == "ferry_catalog_up" && s.Value == 1);
        // The backlog is gone from the queue gauge now that the rule is OK. A non-zero depth is not asserted: the gauge is read
        // at most once a second and has no sample for an empty queue, so on a quiet machine 12 quick transfers can finish
        // unseen (flaky in CI). The last value may trail the rule by a scrape.
        await Site.WaitUntilAsync(async () => (await ScrapeAsync(scraper)).Samples
            .Where(s => s.Name == "ferry_queue_transfers" && s.Label("destination_rse") == "MET_DST").Sum(s => s.Value) == 0, TimeSpan.FromSeconds(10), "an empty transfer queue in /metrics");
        // No account or token in any label.
        Assert.DoesNotContain(after, s => s.Labels.Values.Any(v => v.Contains("root", StringComparison.Ordinal) || v.Length > 200));

        // Deleting the rule purges the copies: the reaper's deletions show per RSE.
        using (var del = await api.SendAsync("DELETE", $"/rules/{rule}?immediate=true", "{}"))
            Assert.True(del.IsSuccessStatusCode, await del.Content.ReadAsStringAsync());
        await Site.WaitUntilAsync(async () => (await ScrapeAsync(scraper)).Samples
            .Any(s => s.Name == "ferry_deletions_total" && s.Label("rse") == "MET_DST" && s.Value == files.Count), TimeSpan.FromMinutes(2), "12 deletions on MET_DST in /metrics");
    }

    [Fact]
    public async Task Live_and_ready_probes_answer_without_a_token()
    {
        await using var server = await FerryServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        using var live = await http.GetAsync("/health/live");
        Assert.Equal(200, (int)live.StatusCode);
        using var ready = await http.GetAsync("/health/ready");
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(200, (int)ready.StatusCode);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("schema_version").GetInt64() >= 1);
        using var metrics = await http.GetAsync("/metrics");
        Assert.Equal(200, (int)metrics.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.Content.Headers.ContentType?.ToString());

        var doc = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");
        foreach (var path in new[] { "/metrics", "/health/live", "/health/ready" })
            Assert.True(doc.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
    }

    public static async Task<(List<Sample> Samples, Dictionary<string, string> Types)> ScrapeAsync(HttpClient http)
    {
        using var resp = await http.GetAsync("/metrics");
        Assert.Equal(200, (int)resp.StatusCode);
        return PrometheusFormat.Parse(await resp.Content.ReadAsStringAsync());
    }
}
