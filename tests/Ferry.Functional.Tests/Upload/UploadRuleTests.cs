using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>What rule an upload leaves: one for the batch, and none half-made when the server refuses it.</summary>
public sealed class UploadRuleTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Without_a_dataset_the_batch_gets_one_rule_and_a_rerun_adds_none()
    {
        await Site.AddPosixRseAsync(f.Api, "UR-ONE");
        var tree = UploadTree.Make(12, awkward: false);
        var r = await tree.UploadAsync(f.Server, "-r", "--rse", "UR-ONE", "--scope", "user.root", "--lifetime", "7d");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var rules = await f.Api.StreamAsync("GET", "/rules/?account=root&rse_expression=UR-ONE");
        var rule = Assert.Single(rules);
        Assert.Equal("DATASET", rule.GetProperty("did_type").GetString());
        var dataset = rule.GetProperty("name").GetString()!;
        Assert.Matches("^upload\\.[0-9a-f]{16}$", dataset);
        Assert.Contains($"user.root:{dataset}", r.Stderr);
        Assert.EndsWith(" UTC", rule.GetProperty("expires_at").GetString());
        Assert.Equal(12, (await f.Api.StreamAsync("GET", $"/dids/user.root/{dataset}/files")).Count);
        await Site.WaitForRuleAsync(f.Api, rule.GetProperty("id").GetString()!, "OK", TimeSpan.FromSeconds(30));
        Assert.Equal(12, (await f.Api.JsonAsync("GET", $"/rules/{rule.GetProperty("id").GetString()}")).GetProperty("locks_ok_cnt").GetInt32());

        var again = await tree.UploadAsync(f.Server, "-r", "--rse", "UR-ONE", "--scope", "user.root", "--lifetime", "7d");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Single(await f.Api.StreamAsync("GET", "/rules/?account=root&rse_expression=UR-ONE"));
    }

    /// <summary>
    /// The pre-check counts only the bytes to copy; the dataset's rule also charges files the catalogue already had on
    /// the RSE, so here it is refused. The run then takes back what it did: nothing attached, its own replicas withdrawn
    /// and their bytes reaped, the replicas that were there before untouched, nothing charged.
    /// </summary>
    [Fact]
    public async Task A_rule_refused_by_quota_after_the_precheck_leaves_nothing_half_done()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "UR-Q");
        await f.Api.SendAsync("POST", "/accounts/urq", """{"type":"USER"}""");
        await f.Api.SendAsync("POST", "/accounts/urq/identities", """{"identity":"urq","authtype":"USERPASS","password":"pw"}""");
        await f.Api.SendAsync("POST", "/accounts/urq/scopes/user.urq");
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/urq/limits/local/UR-Q", """{"bytes":3000}""")).StatusCode);
        var tree = UploadTree.Make(4, awkward: false, size: _ => 1000);
        var names = tree.Files.Keys.Order(StringComparer.Ordinal).ToList();
        var before = names.Take(2).ToList();
        // Two of the files are on the RSE already, registered by root with no rule.
        foreach (var name in before)
        {
            var path = Path.Combine(prefix, Ferry.Core.Paths.Lfn2Pfn.Hash("user.urq", name));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, tree.Files[name]);
            using var add = await f.Api.SendAsync("POST", "/replicas", JsonSerializer.Serialize(new
                { rse = "UR-Q", files = new[] { new { scope = "user.urq", name, bytes = 1000, adler32 = UploadTree.Adler(tree.Files[name]), state = "A" } } }));
            Assert.True(add.IsSuccessStatusCode, await add.Content.ReadAsStringAsync());
        }
        var onDiskBefore = UploadTree.OnDisk(prefix);

        var env = new Dictionary<string, string> { ["FERRY_URL"] = f.Server.Url, ["FERRY_ACCOUNT"] = "urq", ["FERRY_PASSWORD"] = "pw" };
        var summary = Path.Combine(TempDirs.Create("urq"), "summary.json");
        var r = await Infrastructure.Cli.RunAsync(["upload", tree.Root, "-r", "--rse", "UR-Q", "--scope", "user.urq", "--dataset", "urq_ds", "--summary", summary], f.Server.Home, env);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("InsufficientAccountLimit", r.Stderr);
        Assert.Contains("withdrawn", r.Stderr);
        Assert.Equal(4, UploadTree.ReadSummary(summary).GetProperty("totals").GetProperty("failed_by_kind").GetProperty("QUOTA_EXCEEDED").GetInt32());

        Assert.Empty(await f.Api.StreamAsync("GET", "/dids/user.urq/urq_ds/dids"));
        Assert.Empty(await f.Api.StreamAsync("GET", "/dids/user.urq/urq_ds/rules"));
        // The run's own replicas go (the reaper takes them), the two that were there stay, with their bytes.
        await Site.WaitUntilAsync(async () =>
        {
            var lines = await f.Api.StreamAsync("POST", "/replicas/list", JsonSerializer.Serialize(new
                { dids = names.Skip(2).Select(n => new { scope = "user.urq", name = n }), all_states = true }));
            return lines.All(l => l.GetProperty("rses").EnumerateObject().All(x => x.Name != "UR-Q"));
        }, TimeSpan.FromSeconds(30), "the withdrawn replicas to be reaped");
        Assert.Equal(onDiskBefore.Order(), UploadTree.OnDisk(prefix).Order());
        var kept = await f.Api.StreamAsync("POST", "/replicas/list", JsonSerializer.Serialize(new { dids = before.Select(n => new { scope = "user.urq", name = n }) }));
        Assert.All(kept, l => Assert.Equal("AVAILABLE", l.GetProperty("states").GetProperty("UR-Q").GetString()));
        var usage = await f.Api.StreamAsync("GET", "/accounts/urq/usage/local/UR-Q");
        Assert.Equal(0, usage[0].GetProperty("bytes").GetInt64());
    }
}
