using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Rules;

/// <summary>
/// A property test against the real server: a random sequence of rule adds, lifetime changes, deletions, attachments,
/// detachments and transfer failures (a corrupted source), then, once things settle, the invariants: every file a
/// rule needs has its copies, verified, on disk; no needed file lost its last replica; counters and usage equal a
/// recount from the locks.
/// </summary>
public sealed class RuleInvariantTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(37)]
    [InlineData(79)]
    [InlineData(101)]
    public async Task Random_operations_keep_every_invariant(int seed)
    {
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string>
            { ["FERRY_STUCK_RETRY_SECONDS"] = "2", ["FERRY_TRANSFER_ATTEMPTS"] = "2" });
        using var api = new RawApi(server);
        var rng = new Random(seed);
        var prefixes = new Dictionary<string, string>();
        foreach (var rse in new[] { "P-A", "P-B", "P-C", "P-D" }) prefixes[rse] = await Site.AddPosixRseAsync(api, rse);
        prefixes["LOCAL"] = Path.Combine(server.Home, "rses", "LOCAL");   // the embedded default RSE; '*\\P-A' selects it too
        foreach (var rse in new[] { "P-B", "P-C", "P-D" }) await api.SendAsync("POST", $"/rses/{rse}/attr/ptest", """{"value":"1"}""");

        var files = new Dictionary<string, TestFile>();
        var datasets = new Dictionary<string, List<string>> { ["pds0"] = [], ["pds1"] = [] };
        var fileNo = 0;
        async Task NewFile(string ds)
        {
            var f = Site.MakeFiles("user.root", $"p{seed}_{fileNo++}", 1, _ => rng.Next(1, 40_000))[0];
            await Site.UploadAsync(api, "P-A", prefixes["P-A"], ds, [f]);
            files[f.Name] = f;
            datasets[ds].Add(f.Name);
        }
        foreach (var ds in datasets.Keys.ToList()) for (var i = 0; i < 4; i++) await NewFile(ds);
        // As an upload does, a rule keeps the originals on P-A; the random operations never touch it. Without it, the
        // originals are fair game for the reaper once a random rule on P-A goes, and later rules could never be met.
        foreach (var ds in datasets.Keys)
            await api.JsonAsync("POST", "/rules/", $$"""{"dids":[{"scope":"user.root","name":"{{ds}}"}],"copies":1,"rse_expression":"P-A","account":null,"locked":true}""");

        var rules = new List<string>();
        var corrupted = new List<TestFile>();
        string[] expressions = ["P-B", "P-C", "ptest=1", "P-B|P-D", "*\\P-A", "P-A"];
        for (var step = 0; step < 40; step++)
        {
            var ds = rng.Next(2) == 0 ? "pds0" : "pds1";
            switch (rng.Next(7))
            {
                case 0 or 1:
                    var body = JsonSerializer.Serialize(new
                    {
                        dids = new[] { new { scope = "user.root", name = ds } }, copies = rng.Next(1, 3), rse_expression = expressions[rng.Next(expressions.Length)],
                        account = (string?)null, grouping = new[] { "ALL", "DATASET", "NONE" }[rng.Next(3)], lifetime = rng.Next(4) == 0 ? 1 : (int?)null,
                    });
                    using (var resp = await api.SendAsync("POST", "/rules/", body))
                    {
                        var text = await resp.Content.ReadAsStringAsync();
                        Assert.True((int)resp.StatusCode is 201 or 409, $"rule add: {(int)resp.StatusCode} {text}");
                        if ((int)resp.StatusCode == 201) rules.Add(JsonDocument.Parse(text).RootElement[0].GetString()!);
                    }
                    break;
                case 2 when rules.Count > 0:
                    var id = rules[rng.Next(rules.Count)];
                    var lifetime = rng.Next(2) == 0 ? 1 : 3600;
                    using (var r = await api.SendAsync("PUT", $"/rules/{id}", "{\"options\":{\"lifetime\":" + lifetime + "}}"))
                        Assert.True((int)r.StatusCode is 200 or 404);
                    break;
                case 3 when rules.Count > 0:
                    using (var r = await api.SendAsync("DELETE", $"/rules/{rules[rng.Next(rules.Count)]}?immediate=true", "{}"))
                        Assert.True((int)r.StatusCode is 200 or 404);
                    break;
                case 4:
                    await NewFile(ds);
                    break;
                case 5 when datasets[ds].Count > 1:
                    var victim = datasets[ds][rng.Next(datasets[ds].Count)];
                    using (var r = await api.SendAsync("DELETE", $"/dids/user.root/{ds}/dids", $$"""{"dids":[{"scope":"user.root","name":"{{victim}}"}]}"""))
                        Assert.Equal(200, (int)r.StatusCode);
                    datasets[ds].Remove(victim);
                    break;
                case 6:
                    // A transfer failure: a source whose bytes no longer match the catalogue.
                    var f = files[datasets[ds][rng.Next(datasets[ds].Count)]];
                    var original = Path.Combine(prefixes["P-A"], f.HashPath);
                    if (!File.Exists(original)) break;
                    await File.WriteAllBytesAsync(original, new byte[f.Content.Length]);
                    corrupted.Add(f);
                    break;
            }
            await Task.Delay(rng.Next(0, 150));
        }
        // Restore the corrupted originals; one that was detached meanwhile may rightly have been deleted.
        foreach (var f in corrupted.Where(f => File.Exists(Path.Combine(prefixes["P-A"], f.HashPath))))
            await File.WriteAllBytesAsync(Path.Combine(prefixes["P-A"], f.HashPath), f.Content);

        // Settle: every remaining rule OK (the repairer retries what failed while the sources were corrupt).
        // The judge looks at changed DIDs once a second; give it time to see the last operations before polling states.
        await Task.Delay(3000);
        var settled = DateTime.UtcNow.AddSeconds(90);
        List<JsonElement> pending;
        do
        {
            pending = (await api.StreamAsync("GET", "/rules/?account=root")).Where(r => r.GetProperty("state").GetString() != "OK").ToList();
            if (pending.Count == 0) break;
            await Task.Delay(300);
        } while (DateTime.UtcNow < settled);
        Assert.True(pending.Count == 0, "rules that did not settle: " + string.Join("\n", pending.Select(r =>
            $"{r.GetProperty("id")} {r.GetProperty("name")} {r.GetProperty("rse_expression")} copies={r.GetProperty("copies")} {r.GetProperty("grouping")} {r.GetProperty("state")} ok={r.GetProperty("locks_ok_cnt")} rep={r.GetProperty("locks_replicating_cnt")} stuck={r.GetProperty("locks_stuck_cnt")} error={r.GetProperty("error")}")));

        var live = await api.StreamAsync("GET", "/rules/?account=root");
        var usageFromLocks = new Dictionary<string, long>();
        foreach (var rule in live)
        {
            var id = rule.GetProperty("id").GetString()!;
            var locks = await api.StreamAsync("GET", $"/rules/{id}/locks");
            Assert.Equal(locks.Count(l => l.GetProperty("state").GetString() == "OK"), rule.GetProperty("locks_ok_cnt").GetInt32());
            Assert.Equal(0, rule.GetProperty("locks_replicating_cnt").GetInt32());
            Assert.Equal(0, rule.GetProperty("locks_stuck_cnt").GetInt32());
            var ds = rule.GetProperty("name").GetString()!;
            var copies = rule.GetProperty("copies").GetInt32();
            foreach (var name in datasets[ds])
            {
                var mine = locks.Where(l => l.GetProperty("name").GetString() == name).ToList();
                Assert.Equal(copies, mine.Select(l => l.GetProperty("rse").GetString()).Distinct().Count());
                foreach (var l in mine)
                {
                    var rse = l.GetProperty("rse").GetString()!;
                    var onDisk = Path.Combine(prefixes[rse], files[name].HashPath);
                    Assert.True(File.Exists(onDisk), $"{name} is locked on {rse} but not on its disk");
                    Assert.Equal(Site.Sha(files[name].Content), Site.Sha(await File.ReadAllBytesAsync(onDisk)));
                    usageFromLocks[rse] = usageFromLocks.GetValueOrDefault(rse) + files[name].Content.Length;
                }
            }
            Assert.Equal(datasets[ds].Count * copies, locks.Count);
        }
        var usage = (await api.StreamAsync("GET", "/accounts/root/usage/local")).ToDictionary(u => u.GetProperty("rse").GetString()!, u => u.GetProperty("bytes").GetInt64());
        foreach (var rse in usageFromLocks.Keys.Union(usage.Keys))
            Assert.Equal(usageFromLocks.GetValueOrDefault(rse), usage.GetValueOrDefault(rse));

        // Every file still in a dataset has an AVAILABLE, verified replica somewhere.
        foreach (var (ds, names) in datasets)
        {
            var listed = await api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{"scope":"user.root","name":"{{ds}}"}]}""");
            foreach (var name in names)
            {
                var entry = listed.Single(x => x.GetProperty("name").GetString() == name);
                var states = entry.GetProperty("states").EnumerateObject().Where(s => s.Value.GetString() == "AVAILABLE").Select(s => s.Name).ToList();
                Assert.NotEmpty(states);
                Assert.Contains(states, rse => File.Exists(Path.Combine(prefixes.GetValueOrDefault(rse) ?? "/nonexistent", files[name].HashPath)));
            }
        }
    }
}
