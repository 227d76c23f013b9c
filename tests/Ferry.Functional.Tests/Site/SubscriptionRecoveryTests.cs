using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.SitePolicies;

/// <summary>SIGKILL while the subscriber places rules, then restart: every matching DID ends with exactly its rules.</summary>
public sealed class SubscriptionRecoveryTests
{
    [Fact]
    public async Task Sigkill_during_placement_then_restart_gives_each_did_its_rule_once()
    {
        await using var server = await FerryServer.StartAsync();
        using (var api = new RawApi(server))
        {
            using var add = await api.SendAsync("POST", "/ferry/subscriptions",
                """{"name":"crashy","filter":{"scopes":["user.root"],"name_regex":"crash_sub_[0-9]+"},"rules":[{"rse_expression":"LOCAL"}]}""");
            Assert.Equal(201, (int)add.StatusCode);
            for (var i = 0; i < 60; i++)
                using (var ds = await api.SendAsync("POST", $"/dids/user.root/crash_sub_{i}", """{"type":"DATASET"}""")) Assert.Equal(201, (int)ds.StatusCode);
            // Kill as soon as the subscriber has started on them (or at once, if it has not).
            await Site.WaitUntilAsync(async () => (await api.StreamAsync("GET", "/rules?scope=user.root&name=crash_sub_0")).Count > 0, TimeSpan.FromSeconds(30), "the first rule");
        }
        server.Kill();
        await server.StartProcessAsync();
        using var again = new RawApi(server);
        await Site.WaitUntilAsync(async () => (await again.JsonAsync("GET", "/ferry/subscriptions/crashy/history")).GetArrayLength() == 60,
            TimeSpan.FromSeconds(60), "all 60 datasets in the history");
        for (var i = 0; i < 60; i++)
            Assert.Single(await again.StreamAsync("GET", $"/rules?scope=user.root&name=crash_sub_{i}"));
    }
}
