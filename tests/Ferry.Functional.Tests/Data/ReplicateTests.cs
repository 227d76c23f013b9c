using System.Diagnostics;
using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Data;

/// <summary>`ferry data replicate`: the dry run is the plan, --submit carries out exactly it, reruns and SIGKILLs duplicate nothing.</summary>
public sealed class ReplicateTests
{
    private static readonly Dictionary<string, string> Done = new() { ["create"] = "created", ["exists"] = "exists", ["fail"] = "failed", ["skip"] = "skipped" };

    [Fact]
    public async Task Dry_run_and_submit_give_the_same_plan_and_a_rerun_finds_every_rule()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var c = new DataCatalogue(server, api);
        await c.RseAsync("RA", "1");
        await c.DatasetsAsync("user.root", Enumerable.Range(0, 12).Select(i => $"rep_{i:D2}"));
        await c.FilesAsync("user.root:rep_00", 2, "RA");
        var existing = await c.RuleAsync("user.root:rep_03", "RA");
        await c.RuleAsync("user.root:rep_04", "tier=1");               // another expression: not the same rule

        var dir = TempDirs.Create("rep");
        var args = new[] { "data", "replicate", "--pattern", "rep_.*", "--rse-expr", "RA", "--lifetime", "30d", "--comment", "bulk", "--json" };
        var dry = await c.Ferry(args);
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        var plan = DataOutput.Items(dry);
        Assert.Equal(12, plan.Count);
        Assert.Equal(["exists"], plan.Where(p => DataOutput.Did(p) == "user.root:rep_03").Select(DataOutput.Outcome));
        Assert.Equal(existing, plan.Single(p => DataOutput.Did(p) == "user.root:rep_03").GetProperty("rule_id").GetString());
        Assert.Equal(11, plan.Count(p => DataOutput.Outcome(p) == "create"));
        Assert.Equal(2, (await c.RulesAsync()).Count);                  // the dry run changed nothing

        var journal = Path.Combine(dir, "journal.jsonl");
        var summary = Path.Combine(dir, "summary.json");
        var run = await c.Ferry([.. args, "--submit", "--journal", journal, "--summary", summary]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var results = DataOutput.Items(run);
        Assert.Equal(plan.Select(p => (DataOutput.Did(p), Done[DataOutput.Outcome(p)])).Order(), results.Select(r => (DataOutput.Did(r), DataOutput.Outcome(r))).Order());
        var lines = await File.ReadAllLinesAsync(journal);
        Assert.Equal(12, lines.Length);
        Assert.All(lines, l => JsonDocument.Parse(l));
        using (var s = JsonDocument.Parse(await File.ReadAllTextAsync(summary)))
        {
            Assert.Equal(11, s.RootElement.GetProperty("outcomes").GetProperty("created").GetInt32());
            Assert.Equal(1, s.RootElement.GetProperty("outcomes").GetProperty("exists").GetInt32());
            Assert.Equal(0, s.RootElement.GetProperty("exit_code").GetInt32());
        }

        var rules = (await c.RulesAsync()).Where(r => r.GetProperty("rse_expression").GetString() == "RA").ToList();
        Assert.Equal(12, rules.Count);
        Assert.Equal(12, rules.Select(r => r.GetProperty("name").GetString()).Distinct().Count());
        var created = rules.Single(r => r.GetProperty("name").GetString() == "rep_07");
        Assert.Equal("bulk", created.GetProperty("comments").GetString());
        Assert.NotEqual(JsonValueKind.Null, created.GetProperty("expires_at").ValueKind);

        var again = DataOutput.Items(await c.Ferry([.. args, "--submit"]));
        Assert.All(again, r => Assert.Equal("exists", DataOutput.Outcome(r)));
        Assert.Equal(rules.Select(r => r.GetProperty("id").GetString()).Order(), again.Select(r => r.GetProperty("rule_id").GetString()).Order());
    }

    [Fact]
    public async Task Items_that_cannot_be_placed_fail_alone_with_the_reason_and_set_the_exit_code()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var c = new DataCatalogue(server, api);
        await c.RseAsync("QA");
        await api.SendAsync("POST", "/accounts/quser", """{"type":"USER"}""");
        await api.SendAsync("POST", "/accounts/quser/identities", """{"identity":"quser","authtype":"USERPASS","password":"pw"}""");
        await c.ScopeAsync("user.quser");
        foreach (var i in new[] { 0, 1, 2 })
        {
            await c.DatasetAsync($"user.quser:q_{i}");
            await c.FilesAsync($"user.quser:q_{i}", 1, "QA");          // 1000 bytes each
        }
        await api.SendAsync("POST", "/accounts/quser/limits/local/QA", """{"bytes":2500}""");
        var env = new Dictionary<string, string> { ["FERRY_URL"] = server.Url, ["FERRY_ACCOUNT"] = "quser", ["FERRY_PASSWORD"] = "pw" };
        var args = new[] { "data", "replicate", "--scope", "user.quser", "--rse-expr", "QA", "--json" };

        var dry = await Infrastructure.Cli.RunAsync(args, server.Home, env);
        Assert.Equal(3, dry.ExitCode);
        var plan = DataOutput.Items(dry);
        Assert.Equal(["create", "create", "fail"], plan.Select(DataOutput.Outcome));
        Assert.Contains("InsufficientAccountLimit", plan[2].GetProperty("reason").GetString());

        var run = await Infrastructure.Cli.RunAsync([.. args, "--submit"], server.Home, env);
        Assert.Equal(3, run.ExitCode);
        Assert.Equal(["created", "created", "failed"], DataOutput.Items(run).Select(DataOutput.Outcome));
        Assert.Equal(2, (await c.RulesAsync("quser")).Count);

        await api.SendAsync("POST", "/accounts/quser/limits/local/QA", """{"bytes":10}""");
        var none = await Infrastructure.Cli.RunAsync(["data", "replicate", "--scope", "user.quser", "--rse-expr", "*", "--json", "--submit"], server.Home, env);
        Assert.Equal(1, none.ExitCode);
        Assert.All(DataOutput.Items(none), r => Assert.Equal("failed", DataOutput.Outcome(r)));
    }

    [Fact]
    public async Task A_SIGKILL_in_the_middle_of_a_submit_then_a_rerun_leaves_exactly_one_rule_per_dataset()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var c = new DataCatalogue(server, api);
        await c.RseAsync("KA");
        // Enough that the kill, which comes once the first page of 50 is journalled, lands well before the end.
        const int count = 1000;
        await c.DatasetsAsync("user.root", Enumerable.Range(0, count).Select(i => $"kill_{i:D4}"));
        var journal = Path.Combine(TempDirs.Create("kill"), "journal.jsonl");
        var args = new[] { "data", "replicate", "--pattern", "kill_.*", "--rse-expr", "KA", "--page-size", "50", "--submit", "--journal", journal };

        var psi = Infrastructure.Cli.StartInfo(args, server.Home, new Dictionary<string, string>
            { ["FERRY_URL"] = server.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword });
        using (var p = Process.Start(psi)!)
        {
            p.StandardInput.Close();
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (JournalLines(journal) == 0 && !p.HasExited && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.False(p.HasExited, "the submit finished before it could be killed");
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        var journalled = JournalLines(journal);
        Assert.InRange(journalled, 1, count - 1);
        // A page the client had sent before it died may still be committing on the server: wait until nothing changes.
        var afterKill = await c.RulesAsync();
        for (var settled = 0; settled < 2; )
        {
            await Task.Delay(1000);
            var now = await c.RulesAsync();
            settled = now.Count == afterKill.Count ? settled + 1 : 0;
            afterKill = now;
        }
        Assert.InRange(afterKill.Count, journalled, count - 1);
        Assert.Equal(afterKill.Count, afterKill.Select(r => r.GetProperty("name").GetString()).Distinct().Count());

        var rerun = await c.Ferry("data", "replicate", "--pattern", "kill_.*", "--rse-expr", "KA", "--submit", "--json");
        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        var results = DataOutput.Items(rerun);
        Assert.Equal(afterKill.Count, results.Count(r => DataOutput.Outcome(r) == "exists"));
        Assert.Equal(count - afterKill.Count, results.Count(r => DataOutput.Outcome(r) == "created"));
        var rules = await c.RulesAsync();
        Assert.Equal(count, rules.Count);
        Assert.Equal(count, rules.Select(r => r.GetProperty("name").GetString()).Distinct().Count());
    }

    private static int JournalLines(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new StreamReader(fs).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        }
        catch (FileNotFoundException) { return 0; }
    }
}
