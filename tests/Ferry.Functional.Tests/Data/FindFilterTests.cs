using System.Globalization;
using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Data;

/// <summary>`ferry data find`: every filter, alone and combined, against the catalogue of <see cref="SelectionFixture"/>.</summary>
public sealed class FindFilterTests(SelectionFixture f) : IClassFixture<SelectionFixture>
{
    private const string R = "user.root:";

    private async Task Expect(string[] expected, params string[] args)
    {
        var found = DataOutput.Dids(await f.Catalogue.Ferry(["data", "find", "--json", .. args]));
        Assert.Equal(expected.Order(StringComparer.Ordinal).ToList(), found);
    }

    private static string[] Root(params string[] names) => names.Select(n => R + n).ToArray();

    [Fact]
    public async Task Scope_is_repeatable()
    {
        await Expect(Root("d_full_a", "d_full_ab", "d_part_b", "d_child", "d_empty", "d_hist_c", "d_expired"), "--scope", "user.root");
        await Expect(["ana:d_other", "ana:d_late"], "--scope", "ana");
        await Expect([.. Root("d_full_a", "d_full_ab", "d_part_b", "d_child", "d_empty", "d_hist_c", "d_expired"), "ana:d_other", "ana:d_late"],
            "--scope", "user.root", "--scope", "ana");
    }

    [Fact]
    public async Task Pattern_is_a_regex_matched_against_the_whole_name()
    {
        await Expect(Root("d_full_a", "d_full_ab"), "--pattern", "d_full_.*");
        await Expect(Root("d_full_a"), "--pattern", "d_full_a");
        await Expect([], "--pattern", "full");
        await Expect(Root("d_full_a", "d_child"), "--pattern", "d_(full_a|child)");
    }

    [Fact]
    public async Task A_glob_looking_pattern_gets_a_hint()
    {
        var r = await f.Catalogue.Ferry("data", "find", "--json", "--pattern", "d_full*");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("looks like a glob", r.Stderr);
        Assert.Contains("'d_full.*'", r.Stderr);
        Assert.Empty(DataOutput.Dids(r));
    }

    [Fact]
    public async Task Type_selects_datasets_containers_or_both()
    {
        await Expect(Root("c_parent"), "--type", "container");
        await Expect(Root("c_parent", "d_child"), "--type", "all", "--pattern", "c_.*|d_child");
        await Expect(Root("d_child"), "--pattern", "c_.*|d_child");
    }

    [Fact]
    public async Task From_file_reports_bad_lines_with_their_number_and_goes_on()
    {
        var list = Path.Combine(TempDirs.Create("list"), "dids.txt");
        await File.WriteAllLinesAsync(list, ["user.root:d_full_a", "this is garbage", "", "# a comment", "user.root:d_empty", "ana:no_such_dataset", "user.root:d_full_a"]);
        var r = await f.Catalogue.Ferry("data", "find", "--json", "--from-file", list);
        Assert.Equal(Root("d_empty", "d_full_a"), DataOutput.Dids(r));
        Assert.Contains("dids.txt:2:", r.Stderr);
        Assert.Contains("this is garbage", r.Stderr);
        Assert.DoesNotContain("dids.txt:4:", r.Stderr);
        await Expect(Root("d_full_a"), "--from-file", list, "--pattern", "d_full.*");
    }

    [Fact]
    public async Task Exclude_file_leaves_DIDs_out()
    {
        var list = Path.Combine(TempDirs.Create("excl"), "skip.txt");
        await File.WriteAllLinesAsync(list, ["user.root:d_full_a", "user.root:d_empty"]);
        await Expect(Root("d_full_ab"), "--pattern", "d_full.*|d_empty", "--exclude-file", list, "--scope", "user.root");
    }

    [Fact]
    public async Task Meta_filters_on_key_value()
    {
        await Expect([R + "d_full_a", "ana:d_other"], "--meta", "run=1");
        await Expect(["ana:d_other"], "--meta", "run=1", "--scope", "ana");
        await Expect(Root("d_full_ab"), "--meta", "run=2");
        await Expect([], "--meta", "run=1", "--meta", "run=2");
    }

    [Fact]
    public async Task Created_after_and_before_are_UTC_times()
    {
        var stamp = f.Stamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        await Expect(["ana:d_late"], "--created-after", stamp);
        await Expect(["ana:d_other"], "--created-before", stamp, "--scope", "ana");
    }

    [Fact]
    public async Task Has_rule_on_counts_rules_whose_RSEs_the_expression_covers()
    {
        await Expect(Root("d_full_a"), "--has-rule-on", "DA");
        await Expect(Root("d_full_a", "d_full_ab", "d_empty"), "--has-rule-on", "tier=1");
        await Expect([], "--has-rule-on", "DC");
    }

    [Fact]
    public async Task No_rule_on()
    {
        await Expect(Root("d_part_b", "d_child", "d_hist_c", "d_expired"), "--no-rule-on", "tier=1", "--scope", "user.root");
        await Expect(Root("d_full_ab", "d_part_b", "d_child", "d_empty", "d_hist_c", "d_expired"), "--no-rule-on", "DA", "--scope", "user.root");
    }

    [Fact]
    public async Task Has_replica_on_needs_every_file_available_there()
    {
        await Expect(Root("d_full_a", "d_full_ab", "d_part_b", "d_child"), "--has-replica-on", "DA");
        await Expect(Root("d_full_ab"), "--has-replica-on", "DB");
        await Expect(Root("d_full_a", "d_full_ab", "d_part_b", "d_child"), "--has-replica-on", "tier=1");
        await Expect(Root("c_parent"), "--type", "container", "--has-replica-on", "DA");
        await Expect([], "--type", "container", "--has-replica-on", "DB");
    }

    [Fact]
    public async Task No_replica_on()
    {
        await Expect(Root("d_full_a", "d_child", "d_empty", "d_hist_c", "d_expired"), "--no-replica-on", "DB", "--scope", "user.root");
        await Expect(Root("d_empty", "d_hist_c", "d_expired"), "--no-replica-on", "tier=1", "--scope", "user.root");
    }

    [Fact]
    public async Task Never_had_rule_on_reads_the_rule_history()
    {
        // d_hist_c's deleted rule was on 'tier=2' (only DC has tier=2); d_expired's expired rule was on DA; d_child's
        // deleted rule was on 'tier=1' but held its lock on DA.
        await Expect(Root("d_full_a", "d_full_ab", "d_part_b", "d_child", "d_empty", "d_expired"), "--never-had-rule-on", "DC", "--scope", "user.root");
        await Expect(Root("d_full_ab", "d_part_b", "d_empty", "d_hist_c"), "--never-had-rule-on", "DA", "--scope", "user.root");
        await Expect(Root("d_full_a", "d_part_b", "d_child", "d_empty", "d_hist_c", "d_expired"), "--never-had-rule-on", "DB", "--scope", "user.root");
        // The deleted and the expired rule are gone: no-rule-on does not see them.
        await Expect(Root("d_hist_c", "d_expired"), "--no-rule-on", "DC", "--no-rule-on", "DA", "--pattern", "d_hist_c|d_expired");
    }

    [Fact]
    public async Task Rule_expires_within_ignores_rules_that_never_expire()
    {
        await Expect(Root("d_full_ab"), "--rule-expires-within", "3d");
        await Expect(Root("d_full_ab", "d_empty"), "--rule-expires-within", "30d");
        await Expect(Root("d_full_ab", "d_empty"), "--rule-expires-within", "4w");
        await Expect([], "--rule-expires-within", "1h");
    }

    [Fact]
    public async Task Container_satisfies_lets_a_parent_rule_count_for_its_datasets()
    {
        await Expect(Root("d_full_a", "d_part_b", "d_child"), "--has-rule-on", "DA", "--container-satisfies");
        await Expect(Root("d_full_ab", "d_part_b", "d_child"), "--rule-expires-within", "6d", "--container-satisfies");
        await Expect(Root("d_full_ab", "d_empty", "d_hist_c", "d_expired"), "--no-rule-on", "DA", "--container-satisfies", "--scope", "user.root");
    }

    [Fact]
    public async Task Conditions_combine_with_AND_or_with_OR_under_any()
    {
        await Expect(Root("d_part_b", "d_child"), "--has-replica-on", "DA", "--no-rule-on", "tier=1");
        await Expect([], "--has-replica-on", "DB", "--has-rule-on", "DA");
        await Expect(Root("d_full_a", "d_full_ab"), "--any", "--has-replica-on", "DB", "--has-rule-on", "DA");
        await Expect(Root("d_full_a", "d_full_ab", "d_empty"), "--any", "--rule-expires-within", "30d", "--has-rule-on", "DA");
        // Base filters stay ANDed under --any.
        await Expect(Root("d_full_a"), "--any", "--has-replica-on", "DB", "--has-rule-on", "DA", "--meta", "run=1");
    }

    [Fact]
    public async Task Pages_give_the_same_answer_as_one_request()
    {
        var one = DataOutput.Dids(await f.Catalogue.Ferry("data", "find", "--json", "--type", "all"));
        var paged = DataOutput.Dids(await f.Catalogue.Ferry("data", "find", "--json", "--type", "all", "--page-size", "2"));
        Assert.Equal(10, one.Count);
        Assert.Equal(one, paged);
    }

    [Fact]
    public async Task Table_and_csv()
    {
        var table = await Infrastructure.Cli.OkAsync(f.Server, "data", "find", "--pattern", "d_full_a");
        Assert.Contains("user.root:d_full_a", table);
        Assert.Contains("1 DID", table);
        var csv = (await Infrastructure.Cli.OkAsync(f.Server, "data", "find", "--csv", "--pattern", "d_full_a|d_empty")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("scope,name,type,files,bytes,account,created_at", csv[0]);
        Assert.Equal(3, csv.Length);
        var row = csv.Single(l => l.StartsWith("user.root,d_full_a,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(["DATASET", "2", "2001"], row[2..5]);
    }

    [Fact]
    public async Task The_endpoint_pages_with_a_cursor()
    {
        var first = await f.Api.JsonAsync("POST", "/ferry/data/select", """{"scopes":["user.root"],"limit":3}""");
        Assert.Equal(3, first.GetProperty("items").GetArrayLength());
        var next = first.GetProperty("next").GetString();
        Assert.Equal("user.root:d_expired", next);
        var second = await f.Api.JsonAsync("POST", "/ferry/data/select", JsonSerializer.Serialize(new { scopes = new[] { "user.root" }, limit = 10, after = next }));
        Assert.Equal(4, second.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task The_endpoints_are_in_the_OpenAPI_document()
    {
        using var doc = await f.Api.SendAsync("GET", "/openapi/v1.json", auth: false);
        var text = await doc.Content.ReadAsStringAsync();
        foreach (var path in new[] { "/ferry/data/select", "/ferry/data/replicate", "/ferry/data/extend/plan", "/ferry/data/extend", "/ferry/data/delete/plan", "/ferry/data/delete" })
            Assert.Contains($"\"{path}\"", text);
        Assert.Contains("SelectData", text);
    }
}
