using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.SitePolicies;

using Cli = Ferry.Functional.Tests.Infrastructure.Cli;

/// <summary>Subscriptions on a real server: new matching DIDs get the rules (in order, once), old ones do not, disabling stops it.</summary>
public sealed class SubscriptionTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private async Task<List<JsonElement>> RulesOf(string name) => await f.Api.StreamAsync("GET", $"/rules?scope=user.root&name={name}");

    [Fact]
    public async Task New_datasets_get_the_rules_in_order_old_ones_do_not_and_disabling_stops_it()
    {
        var a = await Site.AddPosixRseAsync(f.Api, "SUB-A");
        await Site.AddPosixRseAsync(f.Api, "SUB-B");
        await Site.AddPosixRseAsync(f.Api, "SUB-C");
        await Site.UploadAsync(f.Api, "SUB-A", a, "raw_old", Site.MakeFiles("user.root", "raw_old", 2, _ => 1500));

        await Cli.OkAsync(f.Server, "subscription", "add", "raw-export", "--scope", "user.root", "--name-regex", "raw_[a-z0-9]+", "--did-type", "DATASET",
            "--rse-expr", "SUB-B", "--rse-expr", "SUB-C", "--comment", "raw data to B and C");
        await Site.UploadAsync(f.Api, "SUB-A", a, "raw_new1", Site.MakeFiles("user.root", "raw_new1", 3, _ => 1500));
        await Site.UploadAsync(f.Api, "SUB-A", a, "raw_new1_tmp.x", Site.MakeFiles("user.root", "tmpx", 1, _ => 100)); // the regex is anchored

        await Site.WaitUntilAsync(async () => (await RulesOf("raw_new1")).Count == 2, TimeSpan.FromSeconds(30), "the subscriber to place both rules");
        // The order of the templates is the order of the rules made; both are reached.
        var history = await f.Api.JsonAsync("GET", "/ferry/subscriptions/raw-export/history");
        var entry = history.EnumerateArray().Single(h => h.GetProperty("name").GetString() == "raw_new1");
        Assert.Equal("DONE", entry.GetProperty("state").GetString());
        var ids = entry.GetProperty("rule_ids").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(["SUB-B", "SUB-C"], [.. (await Task.WhenAll(ids.Select(id => f.Api.JsonAsync("GET", $"/rules/{id}")))).Select(r => r.GetProperty("rse_expression").GetString()!)]);
        foreach (var id in ids) await Site.WaitForRuleAsync(f.Api, id, "OK", TimeSpan.FromSeconds(30));

        // Another round changes nothing: one rule per template and DID.
        await f.Api.JsonAsync("POST", "/ferry/subscriptions/run", "{}");
        Assert.Equal(2, (await RulesOf("raw_new1")).Count);
        Assert.Empty(await RulesOf("raw_old"));
        Assert.Empty(await RulesOf("raw_new1_tmp.x"));
        Assert.DoesNotContain(history.EnumerateArray(), h => h.GetProperty("name").GetString() is "raw_old" or "raw_new1_tmp.x");

        // The dry run shows what the existing catalogue would get, old datasets included, and writes nothing.
        var dry = await Cli.OkAsync(f.Server, "subscription", "dry-run", "--subscription", "raw-export");
        Assert.Contains("user.root:raw_old (DATASET)", dry);
        Assert.Contains("user.root:raw_new1 (DATASET)", dry);
        Assert.DoesNotContain("raw_new1_tmp.x", dry);
        Assert.Empty(await RulesOf("raw_old"));

        await Cli.OkAsync(f.Server, "subscription", "disable", "raw-export");
        Assert.Contains("INACTIVE", await Cli.OkAsync(f.Server, "subscription", "show", "raw-export"));
        await Site.UploadAsync(f.Api, "SUB-A", a, "raw_new2", Site.MakeFiles("user.root", "raw_new2", 1, _ => 1500));
        await f.Api.JsonAsync("POST", "/ferry/subscriptions/run", "{}");
        await Task.Delay(3000); // and a daemon round
        Assert.Empty(await RulesOf("raw_new2"));
        Assert.Contains("INACTIVE", await Cli.OkAsync(f.Server, "subscription", "list"));
        Assert.Contains("raw_new1", await Cli.OkAsync(f.Server, "subscription", "history", "raw-export"));

        // Enabled again, it catches up on what was created while it was off.
        await Cli.OkAsync(f.Server, "subscription", "update", "raw-export", "--state", "ACTIVE");
        await Site.WaitUntilAsync(async () => (await RulesOf("raw_new2")).Count == 2, TimeSpan.FromSeconds(30), "the re-enabled subscription to catch up");
        Assert.Empty(await RulesOf("raw_old"));
    }

    [Fact]
    public async Task Metadata_filters_and_retroactive_subscriptions_reach_existing_dids()
    {
        var a = await Site.AddPosixRseAsync(f.Api, "META-A");
        await Site.AddPosixRseAsync(f.Api, "META-B");
        await Site.UploadAsync(f.Api, "META-A", a, "calib_1", Site.MakeFiles("user.root", "calib_1", 1, _ => 500));
        await Site.UploadAsync(f.Api, "META-A", a, "calib_2", Site.MakeFiles("user.root", "calib_2", 1, _ => 500));
        using (var m = await f.Api.SendAsync("POST", "/dids/user.root/calib_1/meta", """{"meta":{"run_type":"calibration"}}"""))
            Assert.True(m.IsSuccessStatusCode, await m.Content.ReadAsStringAsync());
        var body = """{"name":"calib","retroactive":true,"filter":{"meta":{"run_type":["calibration"]}},"rules":[{"rse_expression":"META-B","copies":1,"lifetime":86400}]}""";
        using (var add = await f.Api.SendAsync("POST", "/ferry/subscriptions", body)) Assert.Equal(201, (int)add.StatusCode);
        await Site.WaitUntilAsync(async () => (await RulesOf("calib_1")).Count == 1, TimeSpan.FromSeconds(30), "the retroactive subscription to reach calib_1");
        Assert.Empty(await RulesOf("calib_2"));
        Assert.NotEqual(JsonValueKind.Null, (await RulesOf("calib_1"))[0].GetProperty("expires_at").ValueKind);
    }

    [Fact]
    public async Task The_site_policy_endpoints_are_in_the_openapi_document()
    {
        var doc = (await f.Api.JsonAsync("GET", "/openapi/v1.json")).GetProperty("paths");
        foreach (var path in new[] { "/ferry/subscriptions", "/ferry/subscriptions/{name}", "/ferry/subscriptions/dry-run", "/ferry/retention/{rse}", "/ferry/transfers/stalled" })
            Assert.True(doc.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
    }

    [Theory]
    [InlineData("""{"name":"bad1","filter":{"name_regex":"raw_(["},"rules":[{"rse_expression":"LOCAL"}]}""", "not a valid regular expression")]
    [InlineData("""{"name":"bad2","filter":{"scope":"user.root"},"rules":[{"rse_expression":"LOCAL"}]}""", "filter is malformed")]
    [InlineData("""{"name":"bad3","filter":{},"rules":[{"rse_expression":"LOCAL"}]}""", "would match every DID")]
    [InlineData("""{"name":"bad4","filter":{"scopes":["user.root"]},"rules":[{"rse_expression":"LOCAL","copies":0}]}""", "copies must be between")]
    [InlineData("""{"name":"bad6","filter":{"scopes":["user.root"]},"rules":[{"rse_expression":"LOCAL"}],"retroactiv":true}""", "Unknown subscription field 'retroactiv'")]
    [InlineData("""{"name":"bad5","filter":{"scopes":["user.root"]},"rules":[{"rse_expression":"LOCAL","grouping":"SOME"}]}""", "rules is malformed")]
    public async Task Malformed_subscriptions_are_refused_with_a_message_and_nothing_is_made(string body, string message)
    {
        using var resp = await f.Api.SendAsync("POST", "/ferry/subscriptions", body);
        var text = await RawApi.AssertError(resp, 400, "InvalidObject");
        Assert.Contains(message, text);
        var name = JsonDocument.Parse(body).RootElement.GetProperty("name").GetString();
        using var get = await f.Api.SendAsync("GET", $"/ferry/subscriptions/{name}");
        Assert.Equal(404, (int)get.StatusCode);
    }
}
