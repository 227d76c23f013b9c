using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.Functional.Tests.SitePolicies;

using Cli = Ferry.Functional.Tests.Infrastructure.Cli;

/// <summary>
/// A server in the test process on a FakeTimeProvider: the fake clock follows real time (a ticker advances it by the
/// time that passed, so daemons, leases and waits behave as on a real server) and a test jumps it ahead by days to age
/// replicas. The clock only moves forward, so each test counts its days from its own start (<see cref="SetDaysAheadAsync"/>
/// with 0) and never goes back.
/// </summary>
public sealed class ClockedServerFixture : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly Lock _jump = new();
    private readonly System.Diagnostics.Stopwatch _real = System.Diagnostics.Stopwatch.StartNew();
    private TimeSpan _followed, _ahead, _testStart;
    private Timer? _ticker;

    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _ticker = new Timer(_ => Follow(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
        Server = await FerryServer.StartInProcessAsync(_clock, new Random(2024));
        Api = new RawApi(Server);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
        if (_ticker is not null) await _ticker.DisposeAsync();
    }

    /// <summary>Moves the server's clock to <paramref name="days"/> after this test's day 0 (0 starts the count now).</summary>
    public Task SetDaysAheadAsync(double days)
    {
        lock (_jump)
        {
            if (days == 0) _testStart = _ahead;
            var target = _testStart + TimeSpan.FromDays(days);
            if (target < _ahead) throw new InvalidOperationException($"the fake clock cannot go back to day {days}");
            _clock.Advance(target - _ahead);
            _ahead = target;
        }
        // Tokens are stamped by the server's clock, so the one the client held expired with the jump: log in again.
        var old = Api;
        Api = new RawApi(Server);
        old.Dispose();
        return Task.CompletedTask;
    }

    private void Follow()
    {
        lock (_jump)
        {
            var now = _real.Elapsed;
            _clock.Advance(now - _followed);
            _followed = now;
        }
    }
}

/// <summary>Retention on a server on a fake clock: K=2 keeps the site's copy with one other verified copy, deletes it with two once old enough.</summary>
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
        // A second site whose data only ever gets one copy elsewhere: checked at day 400 below (the clock only goes forward).
        var lone = await Site.AddPosixRseAsync(f.Api, "RET-SITE1");
        await Site.UploadAsync(f.Api, "RET-SITE1", lone, "ret_one", Site.MakeFiles("user.root", "ret1", 3, _ => 2500));
        await Cli.OkAsync(f.Server, "retention", "set", "RET-SITE1", "--min-copies", "2", "--min-age-days", "30");
        await Site.WaitForRuleAsync(f.Api, await Site.AddRuleAsync(f.Api, "user.root", "ret_ds", "RET-X"), "OK", TimeSpan.FromSeconds(30));
        await Site.WaitForRuleAsync(f.Api, await Site.AddRuleAsync(f.Api, "user.root", "ret_one", "RET-X"), "OK", TimeSpan.FromSeconds(30));

        // Two copies elsewhere, 29 days old: kept.
        await f.SetDaysAheadAsync(29);
        await Site.WaitForRuleAsync(f.Api, await Site.AddRuleAsync(f.Api, "user.root", "ret_ds", "RET-Y"), "OK", TimeSpan.FromSeconds(30));
        var plan = await f.Api.JsonAsync("GET", "/ferry/retention/RET-SITE/dry-run");
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

        // One verified copy elsewhere is not enough, however old the data.
        await f.SetDaysAheadAsync(400);
        plan = await f.Api.JsonAsync("GET", "/ferry/retention/RET-SITE1/dry-run");
        Assert.Equal(3, plan.GetArrayLength());
        Assert.All(plan.EnumerateArray(), p => Assert.Contains("only 1 verified copies elsewhere, the policy needs 2", p.GetProperty("reason").GetString()));
        Assert.Empty((await f.Api.JsonAsync("POST", "/ferry/retention/RET-SITE1/run", "{}")).EnumerateArray());
        Assert.Equal(3, Site.Snapshot(lone).Count);
    }

    private static string Reason(JsonElement plan, string name) =>
        plan.EnumerateArray().Single(p => p.GetProperty("name").GetString() == name).GetProperty("reason").GetString()!;

    [Fact]
    public async Task Age_by_access_counts_from_the_last_read_a_trace_reported_and_from_creation_when_never_read()
    {
        await f.SetDaysAheadAsync(0);
        var site = await Site.AddPosixRseAsync(f.Api, "ACC-SITE");
        var files = Site.MakeFiles("user.root", "acc", 3, _ => 1500);
        await Site.UploadAsync(f.Api, "ACC-SITE", site, "acc_ds", files);
        // Copies on X and Y registered without rules, so that no lock keeps any of the three from retention's verdict.
        foreach (var rse in new[] { "ACC-X", "ACC-Y" }) await CopiesWithoutRulesAsync(rse, files);
        foreach (var rse in new[] { "ACC-SITE", "ACC-X", "ACC-Y" })
            await Cli.OkAsync(f.Server, "retention", "set", rse, "--min-copies", "2", "--min-age-days", "30", "--age-by", "access");
        Assert.Contains("\"age_by\":\"access\"", (await f.Api.JsonAsync("GET", "/ferry/retention")).ToString().Replace(" ", ""));

        // Malformed traces are refused with a message and record nothing (file 2 still ages from its creation below).
        var bad = new (string Body, string Message)[]
        {
            ("[]", "A trace is one JSON object"),
            ("{}", "A trace needs an 'eventType'"),
            ("""{"eventType":"dance"}""", "eventType 'dance' is not one Rucio knows"),
            ($$"""{"eventType":"download","clientState":"DONE","scope":"user.root","filename":"{{files[2].Name}}","remoteSite":"ACC-SITE","filesize":"big"}""", "'filesize' must be a number"),
            ($$"""{"eventType":"download","clientState":"DONE","scope":"user.root","filename":{"n":1},"remoteSite":"ACC-SITE"}""", "'filename' must be a string"),
        };
        await f.SetDaysAheadAsync(20);
        foreach (var (body, message) in bad)
        {
            using var resp = await f.Api.SendAsync("POST", "/traces/", body, auth: false);
            Assert.Contains(message, await RawApi.AssertError(resp, 400, "InvalidObject"));
        }

        // Day 20: a Rucio client's download trace (no token) for file 0 on the site; file 1 read by Ferry's own downloader.
        using (var t = await f.Api.SendAsync("POST", "/traces/", JsonSerializer.Serialize(new
        {
            eventType = "download", eventVersion = "rucio-clients 35", clientState = "DONE", scope = "user.root", filename = files[0].Name,
            dataset = "acc_ds", datasetScope = "user.root", remoteSite = "ACC-SITE", localSite = "", filesize = 1500, protocol = "file",
            transferStart = 1.7e9, transferEnd = 1.7e9, uuid = Guid.NewGuid().ToString("N"), hostname = "wn1", account = "root", stateReason = "OK",
        }), auth: false)) Assert.Equal(201, (int)t.StatusCode);
        await Cli.OkAsync(f.Server, "download", $"user.root:{files[1].Name}", "--dir", TempDirs.Create("acc-dl"));

        // Day 40: file 2 was never read (40 days since creation) and goes; file 0 was read 20 days ago and stays.
        await f.SetDaysAheadAsync(40);
        var plan = await f.Api.JsonAsync("GET", "/ferry/retention/ACC-SITE/dry-run");
        Assert.Matches(@"^20(\.\d+)? days since last access, the policy keeps copies for 30 days$", Reason(plan, files[0].Name));
        Assert.Matches(@"^2 verified copies elsewhere and 40(\.\d+)? days since last access", Reason(plan, files[2].Name));
        // The downloader read file 1 from one of the three RSEs, and that replica alone ages from day 20.
        var reads = new List<string>();
        foreach (var rse in new[] { "ACC-SITE", "ACC-X", "ACC-Y" })
            reads.Add(Reason(await f.Api.JsonAsync("GET", $"/ferry/retention/{rse}/dry-run"), files[1].Name));
        Assert.Single(reads, r => r.StartsWith("20", StringComparison.Ordinal) && r.Contains("days since last access, the policy keeps", StringComparison.Ordinal));
        var gone = await f.Api.JsonAsync("POST", "/ferry/retention/ACC-SITE/run", "{}");
        var goneNames = gone.EnumerateArray().Select(g => g.GetProperty("name").GetString()).ToList();
        Assert.Contains(files[2].Name, goneNames);
        Assert.DoesNotContain(files[0].Name, goneNames);

        // Day 51: 31 days since file 0 was read: it goes too.
        await f.SetDaysAheadAsync(51);
        gone = await f.Api.JsonAsync("POST", "/ferry/retention/ACC-SITE/run", "{}");
        Assert.Contains(files[0].Name, gone.EnumerateArray().Select(g => g.GetProperty("name").GetString()));
        await Site.WaitUntilAsync(() => Task.FromResult(!File.Exists(Path.Combine(site, files[0].HashPath)) && !File.Exists(Path.Combine(site, files[2].HashPath))),
            TimeSpan.FromSeconds(30), "the reaper to remove the site's copies of files 0 and 2");
    }

    /// <summary>A new posix RSE holding registered copies of the files, held by no rule.</summary>
    private async Task CopiesWithoutRulesAsync(string rse, IReadOnlyList<TestFile> files)
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, rse);
        foreach (var file in files)
        {
            var path = Path.Combine(prefix, file.HashPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, file.Content);
        }
        using var add = await f.Api.SendAsync("POST", "/replicas", JsonSerializer.Serialize(new
            { rse, files = files.Select(x => new { scope = x.Scope, name = x.Name, bytes = x.Content.Length, adler32 = x.Adler32, state = "A" }) }));
        Assert.Equal(201, (int)add.StatusCode);
    }

    [Fact]
    public async Task The_agents_reads_are_traced_so_only_the_replica_it_read_is_fresh()
    {
        await f.SetDaysAheadAsync(0);
        var site = await Site.AddPosixRseAsync(f.Api, "AGT-A");
        var files = Site.MakeFiles("user.root", "agt", 1, _ => 1200);
        await Site.UploadAsync(f.Api, "AGT-A", site, "agt_ds", files);
        await CopiesWithoutRulesAsync("AGT-B", files);
        await CopiesWithoutRulesAsync("AGT-C", files);
        foreach (var rse in new[] { "AGT-A", "AGT-B", "AGT-C" })
            await Cli.OkAsync(f.Server, "retention", "set", rse, "--min-copies", "2", "--min-age-days", "5", "--age-by", "access");

        await f.SetDaysAheadAsync(10);
        await using (var agent = await Agent.AgentProcess.StartAsync(f.Server))
        {
            var (status, _) = await agent.SendAsync("POST", "/ds?ds_name=user.root:agt_ds");
            Assert.True(status is 200 or 202);
            await agent.WaitForDatasetAsync("user.root:agt_ds", "local", TimeSpan.FromSeconds(60));
        }
        var reasons = new List<string>();
        foreach (var rse in new[] { "AGT-A", "AGT-B", "AGT-C" })
            reasons.Add(Reason(await f.Api.JsonAsync("GET", $"/ferry/retention/{rse}/dry-run"), files[0].Name));
        Assert.Single(reasons, r => r.StartsWith("0 days since last access, the policy keeps", StringComparison.Ordinal)
            || r.StartsWith("0.0", StringComparison.Ordinal));
        Assert.Equal(2, reasons.Count(r => r.Contains("and 10 days since last access", StringComparison.Ordinal)
            || r.Contains("and 10.0", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_policy_asking_for_more_copies_than_RSEs_exist_is_refused()
    {
        await Site.AddPosixRseAsync(f.Api, "RET-LONE");
        using var resp = await f.Api.SendAsync("PUT", "/ferry/retention/RET-LONE", """{"min_copies":50,"min_age_days":1}""");
        Assert.Contains("only", await RawApi.AssertError(resp, 409, "InvalidRetentionPolicy"));
        using var none = await f.Api.SendAsync("GET", "/ferry/retention/RET-LONE/dry-run");
        Assert.Equal(404, (int)none.StatusCode);
        using var access = await f.Api.SendAsync("PUT", "/ferry/retention/RET-LONE", """{"min_copies":1,"min_age_days":1,"age_by":"atime"}""");
        Assert.Contains("age_by 'atime': use 'created'", await RawApi.AssertError(access, 400, "InvalidObject"));
    }
}
