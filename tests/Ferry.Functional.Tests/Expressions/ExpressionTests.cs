using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Expressions;

/// <summary>The whole RSE expression language, evaluated by the real server through GET /rses/?expression=.</summary>
public sealed class ExpressionTests(ExpressionFixture f) : IClassFixture<ExpressionFixture>
{
    private const string All = "CERN-PROD-DISK,CERN-PROD-TAPE,DESY-HH-SCRATCH,FZK-LCG2-DISK,LAPTOP-1,LOCAL,RAL-LCG2-DISK,RAL-LCG2-TAPE,UKI-QMUL-DISK";

    private async Task<string> Select(string expression)
    {
        var rows = await f.Api.StreamAsync("GET", $"/rses/?expression={Uri.EscapeDataString(expression)}");
        return string.Join(',', rows.Select(r => r.GetProperty("rse").GetString()).Order(StringComparer.Ordinal));
    }

    [Theory]
    // names and tags
    [InlineData("CERN-PROD-DISK", "CERN-PROD-DISK")]
    [InlineData("LAPTOP-1", "LAPTOP-1")]
    [InlineData("istape", "CERN-PROD-TAPE,RAL-LCG2-TAPE")]
    [InlineData("scratch", "DESY-HH-SCRATCH")]
    [InlineData("*", All)]
    // key=value, booleans in any case
    [InlineData("tier=0", "CERN-PROD-DISK,CERN-PROD-TAPE")]
    [InlineData("tier=1", "FZK-LCG2-DISK,RAL-LCG2-DISK,RAL-LCG2-TAPE")]
    [InlineData("country=uk", "RAL-LCG2-DISK,RAL-LCG2-TAPE,UKI-QMUL-DISK")]
    [InlineData("istape=true", "CERN-PROD-TAPE,RAL-LCG2-TAPE")]
    [InlineData("istape=TRUE", "CERN-PROD-TAPE,RAL-LCG2-TAPE")]
    [InlineData("istape=True", "CERN-PROD-TAPE,RAL-LCG2-TAPE")]
    [InlineData("site=RAL-LCG2", "RAL-LCG2-DISK,RAL-LCG2-TAPE")]
    [InlineData("cloud=DE", "DESY-HH-SCRATCH,FZK-LCG2-DISK")]
    // numeric comparisons (non-numbers skipped, booleans count as 1/0)
    [InlineData("freespace>100", "CERN-PROD-DISK,FZK-LCG2-DISK,RAL-LCG2-DISK")]
    [InlineData("freespace<100", "DESY-HH-SCRATCH,LAPTOP-1")]
    [InlineData("freespace<0", "LAPTOP-1")]
    [InlineData("freespace>-10", "CERN-PROD-DISK,DESY-HH-SCRATCH,FZK-LCG2-DISK,LAPTOP-1,RAL-LCG2-DISK")]
    [InlineData("tier<2", "CERN-PROD-DISK,CERN-PROD-TAPE,FZK-LCG2-DISK,RAL-LCG2-DISK,RAL-LCG2-TAPE")]
    [InlineData("tier>1", "DESY-HH-SCRATCH,LAPTOP-1,UKI-QMUL-DISK")]
    [InlineData("istape>0", "CERN-PROD-TAPE,RAL-LCG2-TAPE")]
    [InlineData("tier>2", "LAPTOP-1")]
    // properties shadow attributes
    [InlineData("rse_type=DISK", All)]
    [InlineData("availability_write=false", "LAPTOP-1")]
    [InlineData("availability_write=0", "LAPTOP-1")]
    [InlineData("deterministic=true", All)]
    [InlineData("rse=RAL-LCG2-TAPE", "RAL-LCG2-TAPE")]
    // union, intersection, complement
    [InlineData("tier=0|tier=2", "CERN-PROD-DISK,CERN-PROD-TAPE,DESY-HH-SCRATCH,UKI-QMUL-DISK")]
    [InlineData("tier=1&type=DISK", "FZK-LCG2-DISK,RAL-LCG2-DISK")]
    [InlineData("type=DISK\\tier=2", "CERN-PROD-DISK,FZK-LCG2-DISK,LAPTOP-1,RAL-LCG2-DISK")]
    [InlineData("*\\istape", "CERN-PROD-DISK,DESY-HH-SCRATCH,FZK-LCG2-DISK,LAPTOP-1,LOCAL,RAL-LCG2-DISK,UKI-QMUL-DISK")]
    [InlineData("*\\type=DISK", "CERN-PROD-TAPE,LOCAL,RAL-LCG2-TAPE")]
    [InlineData("country=uk&istape", "RAL-LCG2-TAPE")]
    [InlineData("CERN-PROD-DISK|RAL-LCG2-DISK|FZK-LCG2-DISK", "CERN-PROD-DISK,FZK-LCG2-DISK,RAL-LCG2-DISK")]
    [InlineData("tier=1\\RAL-LCG2-TAPE", "FZK-LCG2-DISK,RAL-LCG2-DISK")]
    // no precedence: strictly left to right
    [InlineData("tier=0|tier=1&type=TAPE", "CERN-PROD-TAPE,RAL-LCG2-TAPE")]
    [InlineData("tier=0|(tier=1&type=TAPE)", "CERN-PROD-DISK,CERN-PROD-TAPE,RAL-LCG2-TAPE")]
    [InlineData("type=TAPE&tier=0|tier=2", "CERN-PROD-TAPE,DESY-HH-SCRATCH,UKI-QMUL-DISK")]
    [InlineData("type=TAPE&(tier=0|tier=2)", "CERN-PROD-TAPE")]
    [InlineData("*\\tier=1|RAL-LCG2-DISK", "CERN-PROD-DISK,CERN-PROD-TAPE,DESY-HH-SCRATCH,LAPTOP-1,LOCAL,RAL-LCG2-DISK,UKI-QMUL-DISK")]
    [InlineData("*\\(tier=1|RAL-LCG2-DISK)", "CERN-PROD-DISK,CERN-PROD-TAPE,DESY-HH-SCRATCH,LAPTOP-1,LOCAL,UKI-QMUL-DISK")]
    [InlineData("country=de|country=uk\\istape", "DESY-HH-SCRATCH,FZK-LCG2-DISK,RAL-LCG2-DISK,UKI-QMUL-DISK")]
    [InlineData("country=de|(country=uk\\istape)", "DESY-HH-SCRATCH,FZK-LCG2-DISK,RAL-LCG2-DISK,UKI-QMUL-DISK")]
    [InlineData("(country=de|country=uk)\\(tier=2|istape)", "FZK-LCG2-DISK,RAL-LCG2-DISK")]
    // parentheses, nesting, redundancy; empty intermediates are fine
    [InlineData("((((RAL-LCG2-DISK))))", "RAL-LCG2-DISK")]
    [InlineData("((tier=0)|(tier=3))", "CERN-PROD-DISK,CERN-PROD-TAPE,LAPTOP-1")]
    [InlineData("NO-SUCH-RSE|LAPTOP-1", "LAPTOP-1")]
    [InlineData("(tier=9&tier=0)|LOCAL", "LOCAL")]
    [InlineData("tier=1&(country=uk|(country=de&freespace>100))", "FZK-LCG2-DISK,RAL-LCG2-DISK,RAL-LCG2-TAPE")]
    public async Task Selects(string expression, string expected) => Assert.Equal(expected, await Select(expression));

    [Theory]
    [InlineData("")]
    [InlineData("tier=1|")]
    [InlineData("|tier=1")]
    [InlineData("tier=1||tier=2")]
    [InlineData("tier=1&|tier=2")]
    [InlineData("(tier=1")]
    [InlineData("tier=1)")]
    [InlineData("(tier=1))(")]
    [InlineData("(tier=1)tier=2")]
    [InlineData("tier = 1")]
    [InlineData("tier=1.5")]
    [InlineData("tier=1=2")]
    [InlineData("tier!=1")]
    [InlineData("tier>=1")]
    [InlineData("RAL__LCG2")]
    [InlineData("-RAL")]
    [InlineData("()")]
    public async Task Syntax_errors_are_InvalidRSEExpression(string expression)
    {
        using var resp = await f.Api.SendAsync("GET", $"/rses/?expression={Uri.EscapeDataString(expression)}");
        var message = await RawApi.AssertError(resp, 400, "InvalidRSEExpression");
        Assert.Contains(expression.Length == 0 ? "empty" : "position", message);
    }

    [Theory]
    [InlineData("tier=7")]
    [InlineData("istape&type=DISK")]
    [InlineData("NO-SUCH-RSE")]
    [InlineData("*\\*")]
    [InlineData("freespace>100000")]
    public async Task An_empty_result_is_InvalidRSEExpression(string expression)
    {
        using var resp = await f.Api.SendAsync("GET", $"/rses/?expression={Uri.EscapeDataString(expression)}");
        Assert.Contains("empty set", await RawApi.AssertError(resp, 400, "InvalidRSEExpression"));
    }

    [Theory]
    [InlineData("rse_type=tape")]
    [InlineData("deterministic=yes")]
    [InlineData("availability_read=maybe")]
    public async Task Bad_property_values_are_InvalidObject(string expression)
    {
        using var resp = await f.Api.SendAsync("GET", $"/rses/?expression={Uri.EscapeDataString(expression)}");
        await RawApi.AssertError(resp, 400, "InvalidObject");
    }

    [Fact]
    public async Task Rule_creation_drops_write_blocked_rses_and_says_so_when_none_is_left()
    {
        await f.Api.SendAsync("POST", "/dids/user.root/expr_ds", """{"type":"DATASET"}""");
        using var resp = await f.Api.SendAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"expr_ds"}],"copies":1,"rse_expression":"LAPTOP-1","account":null}""");
        Assert.Contains("blocked for writes", await RawApi.AssertError(resp, 500, "RSEWriteBlocked"));
        using var bad = await f.Api.SendAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"expr_ds"}],"copies":1,"rse_expression":"tier=1&","account":null}""");
        await RawApi.AssertError(bad, 400, "InvalidRSEExpression");
    }
}
