using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.SitePolicies;

using Cli = Ferry.Functional.Tests.Infrastructure.Cli;

/// <summary>A server whose retention ages come from a clock the test moves (FERRY_TEST_CLOCK_FILE: seconds ahead of real time).</summary>
public sealed class ClockedServerFixture : IAsyncLifetime
{
    public string ClockFile { get; } = Path.Combine(TempDirs.Create("clock"), "offset");
    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_TEST_CLOCK_FILE"] = ClockFile });
        Api = new RawApi(Server);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
    }

    public Task SetDaysAheadAsync(double days) =>
        File.WriteAllTextAsync(ClockFile, (days * 86400).ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>Retention on a real server: K=2 keeps the site's copy with one other verified copy, deletes it with two once old enough.</summary>
public sealed class RetentionTests(ClockedServerFixture f) : IClassFixture<ClockedServerFixture>
{
    [Fact]
    public async Task K2_N30_keeps_with_one_copy_elsewhere_and_at_29_days_deletes_with_two_at_31_days()
    {
        await f.SetDaysAheadAsync(0);
        var site = await Site.AddPosixRseAsync(f.Api, "RET-SITE");
        await Site.AddPosixRseAsync(f.Api, "RET-X");
        await Site.AddPosixRseAsync(f.Api, "RET-Y");
        var files = Site.MakeFiles("user.root", "ret", 3, _ => 2500);
        await Site.UploadAsync(f.Api, "RET-SITE", site, "ret_ds", files);
        await Cli.OkAsync(f.Server, "retention", "set", "RET-SITE", "--min-copies", "2", "--min-age-days", "30");

        // One verified copy elsewhere is not enough, however old the data.
        await Site.WaitForRuleAsync(f.Api, await Site.AddRuleAsync(f.Api, "user.root", "ret_ds", "RET-X"), "OK", TimeSpan.FromSeconds(30));
        await f.SetDaysAheadAsync(400);
        var plan = await f.Api.JsonAsync("GET", "/ferry/retention/RET-SITE/dry-run");
        Assert.Equal(3, plan.GetArrayLength());
        Assert.All(plan.EnumerateArray(), p => Assert.Contains("only 1 verified copies elsewhere, the policy needs 2", p.GetProperty("reason").GetString()));
        Assert.Empty((await f.Api.JsonAsync("POST", "/ferry/retention/RET-SITE/run", "{}")).EnumerateArray());

        // Two copies elsewhere, 29 days old: kept.
        await f.SetDaysAheadAsync(29);
        await Site.WaitForRuleAsync(f.Api, await Site.AddRuleAsync(f.Api, "user.root", "ret_ds", "RET-Y"), "OK", TimeSpan.FromSeconds(30));
        plan = await f.Api.JsonAsync("GET", "/ferry/retention/RET-SITE/dry-run");
        Assert.All(plan.EnumerateArray(), p =>
        {
            Assert.False(p.GetProperty("delete").GetBoolean());
            Assert.Matches(@"^29(\.\d+)? days old, the policy keeps copies for 30 days$", p.GetProperty("reason").GetString());
        });
        Assert.Empty((await f.Api.JsonAsync("POST", "/ferry/retention/RET-SITE/run", "{}")).EnumerateArray());
        await Task.Delay(2000); // a reaper round, had anything been scheduled
        Assert.Equal(3, Site.Snapshot(site).Count);

        // 31 days: the site's copies go, through the reaper; the dry run first, which deletes nothing.
        await f.SetDaysAheadAsync(31);
        var dry = await Cli.OkAsync(f.Server, "retention", "dry-run", "RET-SITE", "--json");
        Assert.All(JsonDocument.Parse(dry).RootElement.EnumerateArray(), p =>
        {
            Assert.True(p.GetProperty("delete").GetBoolean());
            Assert.Contains("2 verified copies elsewhere and 31", p.GetProperty("reason").GetString());
        });
        Assert.Equal(3, Site.Snapshot(site).Count);
        var gone = await f.Api.JsonAsync("POST", "/ferry/retention/RET-SITE/run", "{}");
        Assert.Equal(3, gone.GetArrayLength());
        await Site.WaitUntilAsync(() => Task.FromResult(Site.Snapshot(site).Count == 0), TimeSpan.FromSeconds(30), "the reaper to remove the site's copies");
        var replicas = await f.Api.StreamAsync("POST", "/replicas/list", JsonSerializer.Serialize(new { dids = new[] { new { scope = "user.root", name = "ret_ds" } } }));
        Assert.Equal(3, replicas.Count);
        Assert.All(replicas, r =>
        {
            var rses = r.GetProperty("rses").EnumerateObject().Select(p => p.Name).ToList();
            Assert.DoesNotContain("RET-SITE", rses);
            Assert.Contains("RET-X", rses);
            Assert.Contains("RET-Y", rses);
        });
    }

    [Fact]
    public async Task A_policy_asking_for_more_copies_than_RSEs_exist_is_refused()
    {
        await Site.AddPosixRseAsync(f.Api, "RET-LONE");
        using var resp = await f.Api.SendAsync("PUT", "/ferry/retention/RET-LONE", """{"min_copies":50,"min_age_days":1}""");
        Assert.Contains("only", await RawApi.AssertError(resp, 409, "InvalidRetentionPolicy"));
        using var none = await f.Api.SendAsync("GET", "/ferry/retention/RET-LONE/dry-run");
        Assert.Equal(404, (int)none.StatusCode);
        using var access = await f.Api.SendAsync("PUT", "/ferry/retention/RET-LONE", """{"min_copies":1,"min_age_days":1,"age_by":"access"}""");
        Assert.Contains("last access", await RawApi.AssertError(access, 400, "InvalidObject"));
    }
}
