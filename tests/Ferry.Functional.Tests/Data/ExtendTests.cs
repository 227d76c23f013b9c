using System.Text.Json;
using Ferry.Core.Time;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Data;

/// <summary>`ferry data extend`: new expiry = max(current, now + DUR); shortening (or giving a never-expiring rule an end) only with --allow-shorten.</summary>
public sealed class ExtendTests
{
    private sealed record Setup(FerryServer Server, RawApi Api, DataCatalogue C, Dictionary<string, string> Ids) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() { Api.Dispose(); await Server.DisposeAsync(); }

        public async Task<DateTimeOffset?> Expiry(string name)
        {
            var rule = await Api.JsonAsync("GET", $"/rules/{Ids[name]}");
            return rule.GetProperty("expires_at").GetString() is { } e ? RucioTime.Parse(e) : null;
        }
    }

    private static async Task<Setup> StartAsync()
    {
        var server = await FerryServer.StartAsync();
        var api = new RawApi(server);
        var c = new DataCatalogue(server, api);
        await c.RseAsync("EA", "1");
        await c.RseAsync("EB", "1");
        await c.DatasetsAsync("user.root", ["e_never", "e_short", "e_long", "e_two"]);
        var ids = new Dictionary<string, string>
        {
            ["e_never"] = await c.RuleAsync("user.root:e_never", "EA"),
            ["e_short"] = await c.RuleAsync("user.root:e_short", "EA", lifetime: 86400),
            ["e_long"] = await c.RuleAsync("user.root:e_long", "EA", lifetime: 30 * 86400),
            ["e_two_a"] = await c.RuleAsync("user.root:e_two", "EA", lifetime: 3600),
            ["e_two_b"] = await c.RuleAsync("user.root:e_two", "EB", lifetime: 3600),
        };
        return new Setup(server, api, c, ids);
    }

    [Fact]
    public async Task Extend_never_shortens_and_submits_exactly_the_plan()
    {
        await using var s = await StartAsync();
        var before = new Dictionary<string, DateTimeOffset?>();
        foreach (var k in s.Ids.Keys) before[k] = await s.Expiry(k);
        var args = new[] { "data", "extend", "--pattern", "e_.*", "--lifetime", "7d", "--json" };

        var plan = DataOutput.Items(await s.C.Ferry(args));
        var byRule = plan.ToDictionary(p => p.GetProperty("rule_id").GetString()!, DataOutput.Outcome);
        Assert.Equal("skip", byRule[s.Ids["e_never"]]);
        Assert.Equal("skip", byRule[s.Ids["e_long"]]);
        Assert.Equal("change", byRule[s.Ids["e_short"]]);
        Assert.Equal("change", byRule[s.Ids["e_two_a"]]);
        Assert.Equal("change", byRule[s.Ids["e_two_b"]]);
        foreach (var k in s.Ids.Keys) Assert.Equal(before[k], await s.Expiry(k));      // the dry run changed nothing

        var t0 = DateTimeOffset.UtcNow;
        var run = await s.C.Ferry([.. args, "--submit"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var results = DataOutput.Items(run).ToDictionary(p => p.GetProperty("rule_id").GetString()!);
        Assert.Equal(plan.Select(p => p.GetProperty("rule_id").GetString()).Order(), results.Keys.Order());
        foreach (var p in plan)
        {
            var r = results[p.GetProperty("rule_id").GetString()!];
            Assert.Equal(DataOutput.Outcome(p) == "change" ? "changed" : "skipped", DataOutput.Outcome(r));
            // The submit plans again a moment later: now + 7 days has moved on by that moment, nothing else.
            if (DataOutput.Outcome(p) == "change")
                Assert.InRange(RucioTime.Parse(r.GetProperty("expires_after").GetString()!.TrimEnd('Z')) - RucioTime.Parse(p.GetProperty("expires_after").GetString()!.TrimEnd('Z')),
                    TimeSpan.Zero, TimeSpan.FromMinutes(2));
            else Assert.Equal(p.GetProperty("expires_after").ToString(), r.GetProperty("expires_after").ToString());
        }
        Assert.Null(await s.Expiry("e_never"));
        Assert.Equal(before["e_long"], await s.Expiry("e_long"));
        foreach (var k in new[] { "e_short", "e_two_a", "e_two_b" })
        {
            var e = (await s.Expiry(k))!.Value;
            Assert.InRange(e, t0.AddDays(7).AddMinutes(-2), DateTimeOffset.UtcNow.AddDays(7).AddSeconds(1));
        }
        foreach (var k in s.Ids.Keys)
            if (before[k] is { } b) Assert.True(await s.Expiry(k) >= b, $"{k} was shortened");
    }

    [Fact]
    public async Task Allow_shorten_sets_now_plus_the_duration_everywhere()
    {
        await using var s = await StartAsync();
        var run = await s.C.Ferry("data", "extend", "--pattern", "e_never|e_long", "--lifetime", "7d", "--allow-shorten", "--submit", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.All(DataOutput.Items(run), r => Assert.Equal("changed", DataOutput.Outcome(r)));
        foreach (var k in new[] { "e_never", "e_long" })
            Assert.InRange((await s.Expiry(k))!.Value, DateTimeOffset.UtcNow.AddDays(7).AddMinutes(-2), DateTimeOffset.UtcNow.AddDays(7).AddSeconds(1));
    }

    [Fact]
    public async Task Has_rule_on_and_rule_expires_within_narrow_which_rules_are_extended()
    {
        await using var s = await StartAsync();
        var onB = DataOutput.Items(await s.C.Ferry("data", "extend", "--pattern", "e_.*", "--has-rule-on", "EB", "--lifetime", "7d", "--json"));
        Assert.Equal([s.Ids["e_two_b"]], onB.Select(p => p.GetProperty("rule_id").GetString()));

        var soon = DataOutput.Items(await s.C.Ferry("data", "extend", "--pattern", "e_.*", "--rule-expires-within", "2d", "--lifetime", "7d", "--json"));
        Assert.Equal(new[] { s.Ids["e_short"], s.Ids["e_two_a"], s.Ids["e_two_b"] }.Order(), soon.Select(p => p.GetProperty("rule_id").GetString()).Order());

        var run = await s.C.Ferry("data", "extend", "--pattern", "e_.*", "--rule-expires-within", "2h", "--has-rule-on", "EA", "--lifetime", "1d", "--submit", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal([s.Ids["e_two_a"]], DataOutput.Items(run).Where(r => DataOutput.Outcome(r) == "changed").Select(r => r.GetProperty("rule_id").GetString()));
        Assert.InRange((await s.Expiry("e_two_b"))!.Value, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));
    }

    [Fact]
    public async Task A_rule_that_meanwhile_expires_later_is_left_alone_at_submit()
    {
        await using var s = await StartAsync();
        var plan = await s.Api.JsonAsync("POST", "/ferry/data/extend/plan", """{"dids":[{"scope":"user.root","name":"e_short"}],"lifetime":604800}""");
        var item = plan.GetProperty("results")[0];
        Assert.Equal("change", item.GetProperty("outcome").GetString());
        await s.Api.SendAsync("PUT", $"/rules/{s.Ids["e_short"]}", """{"options":{"lifetime":2592000}}""");
        var later = await s.Expiry("e_short");
        var body = JsonSerializer.Serialize(new { rules = new[] { new { id = s.Ids["e_short"], expires_at = item.GetProperty("expires_after").GetString() } } });
        var result = await s.Api.JsonAsync("POST", "/ferry/data/extend", body);
        Assert.Equal("skipped", result.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Equal(later, await s.Expiry("e_short"));
    }
}
