using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Rules;

/// <summary>Failed transfers, stuck locks and the repairer; bad replicas; moving a rule; history.</summary>
public sealed class RepairTests
{
    private static readonly Dictionary<string, string> FastEngine = new() { ["FERRY_STUCK_RETRY_SECONDS"] = "3", ["FERRY_TRANSFER_ATTEMPTS"] = "2" };

    [Fact]
    public async Task A_corrupt_source_makes_the_lock_stuck_and_the_repairer_finishes_once_the_source_is_good()
    {
        await using var server = await FerryServer.StartAsync(environment: FastEngine);
        using var api = new RawApi(server);
        var a = await Site.AddPosixRseAsync(api, "STUCK-A");
        var b = await Site.AddPosixRseAsync(api, "STUCK-B");
        var files = Site.MakeFiles("user.root", "stuck", 2, _ => 4096);
        await Site.UploadAsync(api, "STUCK-A", a, "stuck_ds", files);
        var victim = Path.Combine(a, files[0].HashPath);
        await File.WriteAllBytesAsync(victim, new byte[4096]);            // same size, wrong bytes

        var id = await Site.AddRuleAsync(api, "user.root", "stuck_ds", "STUCK-B");
        var rule = await Site.WaitForRuleAsync(api, id, "STUCK", TimeSpan.FromSeconds(60));
        Assert.Equal(1, rule.GetProperty("locks_stuck_cnt").GetInt32());
        Assert.Equal(1, rule.GetProperty("locks_ok_cnt").GetInt32());
        Assert.Contains("adler32", rule.GetProperty("error").GetString());
        Assert.False(File.Exists(Path.Combine(b, files[0].HashPath)), "a file that failed verification must not appear under its final name");

        await File.WriteAllBytesAsync(victim, files[0].Content);
        await Site.WaitForRuleAsync(api, id, "OK", TimeSpan.FromSeconds(60));
        Assert.Equal(Site.Sha(files[0].Content), Site.Sha(await File.ReadAllBytesAsync(Path.Combine(b, files[0].HashPath))));
    }

    [Fact]
    public async Task A_replica_declared_bad_is_copied_again_from_a_good_one()
    {
        await using var server = await FerryServer.StartAsync(environment: FastEngine);
        using var api = new RawApi(server);
        var a = await Site.AddPosixRseAsync(api, "BAD-A");
        var b = await Site.AddPosixRseAsync(api, "BAD-B");
        var files = Site.MakeFiles("user.root", "bad", 3, _ => 3000);
        await Site.UploadAsync(api, "BAD-A", a, "bad_ds", files);
        var id = await Site.AddRuleAsync(api, "user.root", "bad_ds", "BAD-B");
        await Site.WaitForRuleAsync(api, id, "OK", TimeSpan.FromSeconds(30));
        var onB = Path.Combine(b, files[1].HashPath);
        await File.WriteAllBytesAsync(onB, new byte[10]);                 // the disk lost it

        var failures = await api.JsonAsync("POST", "/replicas/bad", $$"""{"replicas":[{"scope":"user.root","name":"{{files[1].Name}}","rse":"BAD-B"}],"reason":"checksum error on read"}""");
        Assert.Empty(failures.EnumerateObject());
        await Site.WaitUntilAsync(async () => File.Exists(onB) && Site.Sha(await File.ReadAllBytesAsync(onB)) == Site.Sha(files[1].Content),
            TimeSpan.FromSeconds(30), "the bad replica to be replaced");
        await Site.WaitForRuleAsync(api, id, "OK", TimeSpan.FromSeconds(30));
        var unknown = await api.JsonAsync("POST", "/replicas/bad", """{"replicas":[{"scope":"user.root","name":"nope","rse":"BAD-B"}],"reason":"x"}""");
        Assert.Single(unknown.GetProperty("BAD-B").EnumerateArray());
    }

    [Fact]
    public async Task Moving_a_rule_makes_the_new_one_first_then_removes_the_old_and_history_remembers_both()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var a = await Site.AddPosixRseAsync(api, "MOVE-A");
        var b = await Site.AddPosixRseAsync(api, "MOVE-B");
        var c = await Site.AddPosixRseAsync(api, "MOVE-C");
        var files = Site.MakeFiles("user.root", "move", 4, _ => 2000);
        await Site.UploadAsync(api, "MOVE-A", a, "move_ds", files);
        var id = await Site.AddRuleAsync(api, "user.root", "move_ds", "MOVE-B");
        await Site.WaitForRuleAsync(api, id, "OK", TimeSpan.FromSeconds(30));

        var moved = await api.JsonAsync("POST", $"/rules/{id}/move", """{"rse_expression":"MOVE-C"}""");
        var child = moved.GetString()!; // Rucio 41 answers the new id as a JSON string
        await Site.WaitForRuleAsync(api, child, "OK", TimeSpan.FromSeconds(30));
        await Site.WaitUntilAsync(async () => (int)(await api.SendAsync("GET", $"/rules/{id}")).StatusCode == 404, TimeSpan.FromSeconds(30), "the old rule to go");
        await Site.WaitUntilAsync(() => Task.FromResult(Site.Snapshot(b).Count == 0), TimeSpan.FromSeconds(30), "MOVE-B to be emptied");
        Assert.Equal(4, Site.Snapshot(c).Count);

        var history = await api.StreamAsync("GET", "/rules/user.root/move_ds/history");
        Assert.Contains(history, h => h.GetProperty("rule_id").GetString() == id && h.GetProperty("rses").EnumerateArray().Any(r => r.GetString() == "MOVE-B"));
        Assert.Contains(history, h => h.GetProperty("rule_id").GetString() == child && h.GetProperty("rses").EnumerateArray().Any(r => r.GetString() == "MOVE-C"));
    }
}
