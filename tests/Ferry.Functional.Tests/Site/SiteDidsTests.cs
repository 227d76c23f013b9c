using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.SitePolicies;

using Cli = Ferry.Functional.Tests.Infrastructure.Cli;

/// <summary>
/// `ferry site run --dids/--dids-file`: every task of the round touches only the files below the DIDs given (a
/// container expanded through its dataset), the way XENON's cax worked on one run's data. An unknown DID stops the
/// command before any task runs.
/// </summary>
public sealed class SiteDidsTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_round_restricted_to_one_run_touches_only_that_runs_files()
    {
        var site = await Site.AddPosixRseAsync(f.Api, "DIDS-SITE");
        await Site.AddPosixRseAsync(f.Api, "DIDS-X");
        await Site.AddPosixRseAsync(f.Api, "DIDS-Y");
        var runA = Site.MakeFiles("user.root", "dids_a", 3, _ => 3000);
        var runB = Site.MakeFiles("user.root", "dids_b", 3, _ => 3000);
        await Site.UploadAsync(f.Api, "DIDS-SITE", site, "dids_a_ds", runA);
        await Site.UploadAsync(f.Api, "DIDS-SITE", site, "dids_b_ds", runB);
        using (var c = await f.Api.SendAsync("POST", "/dids/user.root/dids_runs", """{"type":"CONTAINER"}""")) Assert.Equal(201, (int)c.StatusCode);
        using (var a = await f.Api.SendAsync("POST", "/dids/user.root/dids_runs/dids", """{"dids":[{"scope":"user.root","name":"dids_a_ds"}]}""")) Assert.Equal(201, (int)a.StatusCode);
        foreach (var ds in new[] { "dids_a_ds", "dids_b_ds" })
            foreach (var rse in new[] { "DIDS-X", "DIDS-Y" })
                await Site.WaitForRuleAsync(f.Api, await Site.AddRuleAsync(f.Api, "user.root", ds, rse), "OK", TimeSpan.FromSeconds(60));
        await Cli.OkAsync(f.Server, "retention", "set", "DIDS-SITE", "--min-copies", "2", "--min-age-days", "0");

        // Run B is what an unrestricted round would act on: a corrupt copy (the audit would declare it BAD), and a dark
        // file beside it (the consistency check with fix would delete it); its copies would go under the policy too.
        var corrupt = Path.Combine(site, runB[0].HashPath);
        await File.WriteAllBytesAsync(corrupt, new byte[3000]);
        var dark = Path.Combine(site, "user/root/0c/0d/dids-dark.dat");
        Directory.CreateDirectory(Path.GetDirectoryName(dark)!);
        await File.WriteAllBytesAsync(dark, new byte[10]);
        File.SetLastWriteTimeUtc(dark, DateTime.UtcNow.AddDays(-3));

        var dir = TempDirs.Create("site-dids");
        var config = Path.Combine(dir, "site.yaml");
        await File.WriteAllTextAsync(config, """
            tasks:
              subscriptions: {}
              checksum-audit: {rses: [DIDS-SITE], files_per_round: 100}
              consistency: {rses: [DIDS-SITE], grace_seconds: 3600, fix: true}
              stalled-transfers: {alert_after_seconds: 600, reset_after_seconds: 3600}
              retention: {rses: [DIDS-SITE]}
            """);
        var list = Path.Combine(dir, "dids.txt");
        await File.WriteAllTextAsync(list, "# one run\n\nuser.root:dids_runs\n");

        var r = await Cli.RunAsync(f.Server, "site", "run", "--config", config, "--once", "--dids-file", list);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Matches(@"task=subscriptions status=ok ms=\d+ skipped=true", r.Stderr);
        Assert.Contains("task=checksum-audit status=ok", r.Stderr);
        Assert.Contains("DIDS-SITE: 3 ok, 0 bad, 0 unreadable", r.Stderr);
        Assert.Contains("DIDS-SITE: 0 dark, 0 lost, 0 corrupt of 3 catalogued; fixed: 0 deleted, 0 declared BAD", r.Stderr);
        Assert.Contains("DIDS-SITE: 3 replica(s) scheduled for deletion", r.Stderr);

        // Run A's copies go through the reaper; run B, its corrupt copy and the dark file stay as they were.
        var bPaths = runB.Select(x => x.HashPath).ToHashSet();
        await Site.WaitUntilAsync(() => Task.FromResult(runA.All(x => !File.Exists(Path.Combine(site, x.HashPath)))), TimeSpan.FromSeconds(60),
            "the reaper to remove run A's copies from the site");
        Assert.True(File.Exists(dark), "a restricted consistency round calls nothing dark");
        Assert.Equal(new byte[3000], await File.ReadAllBytesAsync(corrupt));
        Assert.All(bPaths, p => Assert.True(File.Exists(Path.Combine(site, p)), p));
        var replicas = await f.Api.StreamAsync("POST", "/replicas/list", JsonSerializer.Serialize(new
        {
            dids = new[] { new { scope = "user.root", name = "dids_a_ds" }, new { scope = "user.root", name = "dids_b_ds" } }, all_states = true,
        }));
        Assert.Equal(6, replicas.Count);
        foreach (var rep in replicas)
        {
            var states = rep.GetProperty("states");
            var isB = rep.GetProperty("name").GetString()!.StartsWith("dids_b", StringComparison.Ordinal);
            Assert.Equal(isB, states.TryGetProperty("DIDS-SITE", out var s) && s.GetString() == "AVAILABLE");
            if (!isB) Assert.False(states.TryGetProperty("DIDS-SITE", out _), $"{rep}");
        }

        // A single file by --dids works the same way: only it is audited.
        var one = await Cli.RunAsync(f.Server, "site", "run", "--config", config, "--once", "--only", "checksum-audit", "--dids", $"user.root:{runB[1].Name}");
        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.Contains("DIDS-SITE: 1 ok, 0 bad, 0 unreadable", one.Stderr);
    }

    [Theory]
    [InlineData("user.root:dids_missing", "DID user.root:dids_missing does not exist; nothing was run")]
    [InlineData("user.root:dids_present,user.root:dids_gone,user.root:dids_lost", "DIDs user.root:dids_gone, user.root:dids_lost do not exist; nothing was run")]
    [InlineData("no-colon", "is not a DID")]
    [InlineData("user.root:dids_present,", "an empty DID")]
    public async Task Unknown_or_malformed_DIDs_stop_the_command_before_any_task_runs(string dids, string message)
    {
        using (var c = await f.Api.SendAsync("POST", "/dids/user.root/dids_present", """{"type":"DATASET"}""")) Assert.True((int)c.StatusCode is 201 or 409);
        var config = Path.Combine(TempDirs.Create("site-dids-bad"), "site.json");
        await File.WriteAllTextAsync(config, """{"tasks":{"subscriptions":{},"stalled-transfers":{}}}""");
        var r = await Cli.RunAsync(f.Server, "site", "run", "--config", config, "--once", "--dids", dids);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.DoesNotContain("status=", r.Stderr);
    }

    [Fact]
    public async Task The_endpoints_refuse_an_unknown_DID_or_an_empty_list_and_change_nothing()
    {
        await Site.AddPosixRseAsync(f.Api, "DIDS-API");
        await Site.AddPosixRseAsync(f.Api, "DIDS-API2");
        using (var p = await f.Api.SendAsync("PUT", "/ferry/retention/DIDS-API", """{"min_copies":1,"min_age_days":0}""")) Assert.Equal(200, (int)p.StatusCode);
        using var unknown = await f.Api.SendAsync("POST", "/ferry/retention/DIDS-API/run", """{"dids":[{"scope":"user.root","name":"dids_nowhere"}]}""");
        await RawApi.AssertError(unknown, 404, "DataIdentifierNotFound");
        using var empty = await f.Api.SendAsync("POST", "/ferry/audit/DIDS-API/run", """{"dids":[]}""");
        Assert.Contains("at least one DID", await RawApi.AssertError(empty, 400, "InvalidObject"));
        using var notList = await f.Api.SendAsync("POST", "/ferry/transfers/stalled", """{"alert_after_seconds":1,"reset_after_seconds":2,"dids":"user.root:x"}""");
        Assert.Contains("'dids' must be a list", await RawApi.AssertError(notList, 400, "InvalidObject"));
    }
}
