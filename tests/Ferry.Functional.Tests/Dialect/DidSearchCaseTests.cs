using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>DID names are case-sensitive, in searches too, on either store (SQLite's LIKE alone would ignore case).</summary>
public sealed class DidSearchCaseTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("CaseRun*", "CaseRun_1")]
    [InlineData("caserun*", "caserun_2")]
    [InlineData("*Run_*", "CaseRun_1")]
    public async Task A_wildcard_search_matches_names_with_the_same_case_only(string pattern, string expected)
    {
        foreach (var n in new[] { "CaseRun_1", "caserun_2" })
            await f.Api.SendAsync("POST", $"/dids/user.root/{n}", """{"type":"DATASET"}""");
        var filters = Uri.EscapeDataString($"[{{'name': '{pattern}'}}]");
        var found = (await f.Api.StreamAsync("GET", $"/dids/user.root/dids/search?type=all&filters={filters}"))
            .Select(d => d.ValueKind == System.Text.Json.JsonValueKind.String ? d.GetString() : d.GetProperty("name").GetString())
            .Where(n => n!.Contains("un_", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal([expected], found);
    }
}
