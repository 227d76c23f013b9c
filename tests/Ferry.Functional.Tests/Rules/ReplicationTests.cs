using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Rules;

/// <summary>Rules turn into locks and transfers; the conveyor copies and verifies; expiry and the reaper clean up.</summary>
public sealed class ReplicationTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_rule_replicates_every_file_verified_and_its_expiry_removes_the_copies()
    {
        var a = await Site.AddPosixRseAsync(f.Api, "REPL-A");
        var b = await Site.AddPosixRseAsync(f.Api, "REPL-B");
        var files = Site.MakeFiles("user.root", "repl", 30, i => 1000 + i * 7919);
        await Site.UploadAsync(f.Api, "REPL-A", a, "repl_ds", files);

        var id = await Site.AddRuleAsync(f.Api, "user.root", "repl_ds", "REPL-B");
        var rule = await Site.WaitForRuleAsync(f.Api, id, "OK", TimeSpan.FromSeconds(60));
        Assert.Equal(30, rule.GetProperty("locks_ok_cnt").GetInt32());
        foreach (var file in files)
            Assert.Equal(Site.Sha(file.Content), Site.Sha(await File.ReadAllBytesAsync(Path.Combine(b, file.HashPath))));
        var onB = await f.Api.StreamAsync("POST", "/replicas/list", """{"dids":[{"scope":"user.root","name":"repl_ds"}],"rse_expression":"REPL-B"}""");
        Assert.Equal(30, onB.Count);
        Assert.All(onB, r => Assert.Equal("AVAILABLE", r.GetProperty("states").GetProperty("REPL-B").GetString()));

        Assert.Equal(200, (int)(await f.Api.SendAsync("PUT", $"/rules/{id}", """{"options":{"lifetime":1}}""")).StatusCode);
        await Site.WaitUntilAsync(async () => Site.Snapshot(b).Count == 0, TimeSpan.FromSeconds(30), "B's disk to be empty");
        await Site.WaitUntilAsync(async () =>
            (await f.Api.StreamAsync("POST", "/replicas/list", """{"dids":[{"scope":"user.root","name":"repl_ds"}],"all_states":true,"rse_expression":"REPL-B"}""")).Count == 0,
            TimeSpan.FromSeconds(30), "B's replicas to leave the catalogue");
        Assert.Equal(30, Site.Snapshot(a).Count);
        await RawApi.AssertError(await f.Api.SendAsync("GET", $"/rules/{id}"), 404, "RuleNotFound");
    }

    [Fact]
    public async Task Files_attached_after_the_rule_follow_it()
    {
        var a = await Site.AddPosixRseAsync(f.Api, "LATE-A");
        var b = await Site.AddPosixRseAsync(f.Api, "LATE-B");
        var first = Site.MakeFiles("user.root", "late1", 3, _ => 5000);
        await Site.UploadAsync(f.Api, "LATE-A", a, "late_ds", first);
        var id = await Site.AddRuleAsync(f.Api, "user.root", "late_ds", "LATE-B");
        await Site.WaitForRuleAsync(f.Api, id, "OK", TimeSpan.FromSeconds(30));

        var later = Site.MakeFiles("user.root", "late2", 4, _ => 6000);
        await Site.UploadAsync(f.Api, "LATE-A", a, "late_ds", later);
        await Site.WaitUntilAsync(async () => (await f.Api.JsonAsync("GET", $"/rules/{id}")).GetProperty("locks_ok_cnt").GetInt32() == 7,
            TimeSpan.FromSeconds(30), "the rule to cover the new files");
        foreach (var file in later) Assert.True(File.Exists(Path.Combine(b, file.HashPath)));

        // Detaching a file releases its lock; the replica on B then goes.
        Assert.Equal(200, (int)(await f.Api.SendAsync("DELETE", "/dids/user.root/late_ds/dids", $$"""{"dids":[{"scope":"user.root","name":"{{later[0].Name}}"}]}""")).StatusCode);
        await Site.WaitUntilAsync(async () => !File.Exists(Path.Combine(b, later[0].HashPath)), TimeSpan.FromSeconds(30), "the detached file to leave B");
        Assert.Equal(6, (await f.Api.JsonAsync("GET", $"/rules/{id}")).GetProperty("locks_ok_cnt").GetInt32());
    }

    [Fact]
    public async Task Two_copies_over_an_attribute_expression_land_on_two_distinct_rses()
    {
        var src = await Site.AddPosixRseAsync(f.Api, "TWO-SRC");
        var targets = new List<string>();
        foreach (var n in new[] { "TWO-T1", "TWO-T2", "TWO-T3" })
        {
            targets.Add(await Site.AddPosixRseAsync(f.Api, n));
            await f.Api.SendAsync("POST", $"/rses/{n}/attr/twotier", """{"value":"1"}""");
        }
        var files = Site.MakeFiles("user.root", "two", 5, _ => 2048);
        await Site.UploadAsync(f.Api, "TWO-SRC", src, "two_ds", files);
        var id = await Site.AddRuleAsync(f.Api, "user.root", "two_ds", "twotier=1", copies: 2);
        var rule = await Site.WaitForRuleAsync(f.Api, id, "OK", TimeSpan.FromSeconds(60));
        Assert.Equal(10, rule.GetProperty("locks_ok_cnt").GetInt32());
        var locks = await f.Api.StreamAsync("GET", $"/rules/{id}/locks");
        // DATASET grouping: every file on the same two RSEs.
        Assert.Equal(2, locks.Select(l => l.GetProperty("rse").GetString()).Distinct().Count());
        Assert.Equal(10, targets.Sum(t => Site.Snapshot(t).Count));
    }

    [Fact]
    public async Task Account_usage_follows_the_locks()
    {
        var a = await Site.AddPosixRseAsync(f.Api, "USAGE-A");
        var files = Site.MakeFiles("user.root", "usage", 4, _ => 1000);
        await Site.UploadAsync(f.Api, "USAGE-A", a, "usage_ds", files);
        var id = await Site.AddRuleAsync(f.Api, "user.root", "usage_ds", "USAGE-A");
        await Site.WaitForRuleAsync(f.Api, id, "OK", TimeSpan.FromSeconds(30));
        var usage = (await f.Api.StreamAsync("GET", "/accounts/root/usage/local")).Single(u => u.GetProperty("rse").GetString() == "USAGE-A");
        Assert.Equal(4000, usage.GetProperty("bytes").GetInt64());
        Assert.Equal(4, usage.GetProperty("files").GetInt64());
        await f.Api.SendAsync("DELETE", $"/rules/{id}?immediate=true", "{}");
        Assert.DoesNotContain(await f.Api.StreamAsync("GET", "/accounts/root/usage/local"), u => u.GetProperty("rse").GetString() == "USAGE-A");
    }
}
