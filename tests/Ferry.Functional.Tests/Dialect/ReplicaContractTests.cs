using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Dialect;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// Every answer of the rule-lock, rule-history, replica, dataset-replica, declare-bad and subscription endpoints is
/// exactly its record (<see cref="RucioLock"/>, <see cref="RucioRuleHistory"/>, <see cref="RucioReplica"/>,
/// <see cref="RucioDatasetReplica"/>, <see cref="RucioSubscription"/>), the optional keys included and left out.
/// </summary>
public sealed class ReplicaContractTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private static string Did(TestFile file) => $$"""{"scope":"{{file.Scope}}","name":"{{file.Name}}"}""";

    [Fact]
    public async Task Lock_history_replica_and_dataset_replica_answers_are_their_records()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "CT-REP");
        var files = Site.MakeFiles("user.root", "ct_rep", 2, i => 100 + i);
        await Site.UploadAsync(f.Api, "CT-REP", prefix, "ct_rep_ds", files);
        var id = await Site.AddRuleAsync(f.Api, "user.root", "ct_rep_ds", "CT-REP");

        var locks = Contract.HoldEach<RucioLock>(await f.Api.StreamAsync("GET", $"/rules/{id}/locks"), "GET /rules/{id}/locks");
        Assert.Equal(files.Select(x => x.Name).Order(), locks.Select(l => l.Name).Order());
        Assert.All(locks, l => Assert.Equal(("CT-REP", id), (l.Rse, l.RuleId)));
        var history = Contract.HoldEach<RucioRuleHistory>(await f.Api.StreamAsync("GET", "/rules/user.root/ct_rep_ds/history"), "GET /rules/{scope}/{name}/history");
        Assert.Equal([id], history.Select(h => h.RuleId));

        var body = $$"""{"dids":[{{Did(files[0])}},{"scope":"user.root","name":"ct_rep_ds"}],"all_states":false,"resolve_parents":true}""";
        var listed = Contract.HoldEach<RucioReplica>(await f.Api.StreamAsync("POST", "/replicas/list", body), "POST /replicas/list");
        Assert.All(listed, r => Assert.Equal(["user.root:ct_rep_ds"], r.Parents!));
        Assert.All(listed, r => Assert.Equal("AVAILABLE", r.StateOn("CT-REP")));
        var (pfn, rse) = Assert.Single(listed[0].Sources());
        Assert.Equal("CT-REP", rse);
        Assert.Equal([pfn], listed[0].Rses["CT-REP"]);
        var one = Assert.Single(Contract.HoldEach<RucioReplica>(await f.Api.StreamAsync("GET", $"/replicas/user.root/{files[0].Name}"), "GET /replicas/{scope}/{name}"));
        Assert.Null(one.Parents);
        Assert.Equal(files[0].Content.Length, one.Bytes);

        var datasets = Contract.HoldEach<RucioDatasetReplica>(await f.Api.StreamAsync("GET", "/replicas/user.root/ct_rep_ds/datasets"), "GET /replicas/{did}/datasets");
        var ds = Assert.Single(datasets);
        Assert.Equal(("CT-REP", "AVAILABLE", 2L, 2L), (ds.Rse, ds.State, ds.Length, ds.AvailableLength));
        var bulk = Contract.HoldEach<RucioDatasetReplica>(
            await f.Api.StreamAsync("POST", "/replicas/datasets_bulk", """{"dids":[{"scope":"user.root","name":"ct_rep_ds"}]}"""), "POST /replicas/datasets_bulk");
        Assert.Equal(ds, Assert.Single(bulk));
    }

    [Fact]
    public async Task A_file_without_a_readable_replica_has_no_states_and_declare_bad_answers_its_failures()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "CT-BLOCKED");
        var file = Site.MakeFiles("user.root", "ct_blocked", 1, _ => 10)[0];
        await Site.UploadAsync(f.Api, "CT-BLOCKED", prefix, "ct_blocked_ds", [file]);
        using (var block = await f.Api.SendAsync("PUT", "/rses/CT-BLOCKED", """{"availability_read":false}"""))
            Assert.True(block.IsSuccessStatusCode, await block.Content.ReadAsStringAsync());

        var hidden = Contract.Holds<RucioReplica>(
            Assert.Single(await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{{Did(file)}}],"ignore_availability":false}""")), "POST /replicas/list");
        Assert.Null(hidden.States);
        Assert.Empty(hidden.Pfns);

        using var bad = await f.Api.SendAsync("POST", "/replicas/bad", """{"replicas":[{"scope":"user.root","name":"ct_no_such","rse":"CT-BLOCKED"}],"reason":"lost"}""");
        Assert.Equal(201, (int)bad.StatusCode);
        var failures = Contract.Holds<Dictionary<string, List<string>>>(
            System.Text.Json.JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement, "POST /replicas/bad");
        Assert.Single(failures["CT-BLOCKED"]);
    }

    [Fact]
    public async Task Subscription_answers_are_RucioSubscription_records()
    {
        const string options = """
            {"options":{"filter":{"scope":["user.root"],"pattern":"ct_sub_"},"replication_rules":[{"rse_expression":"CT-SUB","copies":1}],
             "comments":"contract","lifetime":10,"retroactive":false,"dry_run":false}}
            """;
        using var add = await f.Api.SendAsync("POST", "/subscriptions/root/ct-sub", options);
        Assert.Equal(201, (int)add.StatusCode);
        var id = await add.Content.ReadAsStringAsync();

        var named = Assert.Single(Contract.HoldEach<RucioSubscription>(await f.Api.StreamAsync("GET", "/subscriptions/root/ct-sub"), "GET /subscriptions/{account}/{name}"));
        Assert.Equal((id, "contract", false), (named.Id, named.Comments, named.Retroactive));
        Assert.NotNull(named.Lifetime);
        Assert.Null(named.ExpiredAt);
        Assert.Equal(named, Contract.Holds<RucioSubscription>(await f.Api.JsonAsync("GET", $"/subscriptions/id/{id}"), "GET /subscriptions/id/{id}"));
        foreach (var path in new[] { "/subscriptions/root", "/subscriptions", "/subscriptions/name/ct-sub" })
            Assert.Contains(named, Contract.HoldEach<RucioSubscription>(await f.Api.StreamAsync("GET", path), $"GET {path}"));
        Contract.HoldEach<RucioRule>(await f.Api.StreamAsync("GET", "/subscriptions/root/ct-sub/rules"), "GET /subscriptions/{account}/{name}/rules");
    }

    /// <summary>The SDK reads the same records, and the CLI's --json prints them under their wire names, as the server sent them.</summary>
    [Fact]
    public async Task The_cli_reads_the_records_and_prints_wire_names()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "CT-CLI");
        var file = Site.MakeFiles("user.root", "ct_cli", 1, _ => 20)[0];
        await Site.UploadAsync(f.Api, "CT-CLI", prefix, "ct_cli_ds", [file]);
        var id = await Site.AddRuleAsync(f.Api, "user.root", "ct_cli_ds", "CT-CLI");

        var server = await f.Api.StreamAsync("GET", $"/rules/{id}/locks");
        var printed = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "rule", "locks", id, "--json")).RootElement;
        Assert.True(JsonNode.DeepEquals(JsonSerializer.SerializeToNode(server), JsonNode.Parse(printed.GetRawText())), printed.GetRawText());
        server = await f.Api.StreamAsync("GET", "/rules/user.root/ct_cli_ds/history");
        printed = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "rule", "history", "user.root:ct_cli_ds", "--json")).RootElement;
        Assert.True(JsonNode.DeepEquals(JsonSerializer.SerializeToNode(server), JsonNode.Parse(printed.GetRawText())), printed.GetRawText());

        var replicas = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "replica", "list", "user.root:ct_cli_ds", "--json")).RootElement;
        var replica = Assert.Single(replicas.EnumerateArray());
        Assert.Equal("AVAILABLE", replica.GetProperty("states").GetProperty("CT-CLI").GetString());
        Assert.Equal(["user.root:ct_cli_ds"], replica.GetProperty("parents").EnumerateArray().Select(p => p.GetString()));

        var bad = await Infrastructure.Cli.RunAsync(f.Server, "replica", "declare-bad", "user.root:ct_cli_none", "--rse", "CT-CLI", "--reason", "lost", "--json");
        Assert.Equal(0, bad.ExitCode);
        Assert.Single(JsonDocument.Parse(bad.Stdout).RootElement.GetProperty("CT-CLI").EnumerateArray());
    }
}
