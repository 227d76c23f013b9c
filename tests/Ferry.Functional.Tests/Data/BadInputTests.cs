using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Data;

/// <summary>Bad selections and bad action options: one clear line, exit 2, nothing changed.</summary>
public sealed class BadInputTests(SelectionFixture f) : IClassFixture<SelectionFixture>
{
    [Theory]
    [InlineData("Invalid regular expression", "find", "--pattern", "d_[")]
    [InlineData("selects no RSE", "find", "--has-rule-on", "NOSUCH")]
    [InlineData("Invalid RSE expression", "find", "--no-replica-on", "DA&(")]
    [InlineData("Cannot read duration '7x'", "find", "--rule-expires-within", "7x")]
    [InlineData("Unknown RSE 'NOSUCH'", "find", "--never-had-rule-on", "NOSUCH")]
    [InlineData("as a date", "find", "--created-after", "yesterday")]
    [InlineData("is not key=value", "find", "--meta", "run")]
    [InlineData("Unknown type", "find", "--type", "files")]
    [InlineData("no such file", "find", "--from-file", "/nonexistent/list.txt")]
    [InlineData("selects no RSE", "replicate", "--scope", "user.root", "--rse-expr", "NOSUCH", "--submit")]
    [InlineData("Invalid RSE expression", "replicate", "--scope", "user.root", "--rse-expr", "DA|", "--submit")]
    [InlineData("Cannot read duration '7x'", "extend", "--scope", "user.root", "--lifetime", "7x", "--submit")]
    [InlineData("Cannot read duration", "replicate", "--scope", "user.root", "--rse-expr", "DA", "--lifetime", "soon", "--submit")]
    public async Task Usage_errors_exit_2_with_one_line_and_change_nothing(string message, params string[] args)
    {
        var before = await f.Catalogue.RulesAsync();
        var r = await f.Catalogue.Ferry(["data", .. args]);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\nstdout: {r.Stdout}\nstderr: {r.Stderr}");
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(message, lines[0]);
        Assert.Equal("", r.Stdout);
        var after = await f.Catalogue.RulesAsync();
        Assert.Equal(before.Select(x => x.GetProperty("id").GetString()).Order(), after.Select(x => x.GetProperty("id").GetString()).Order());
        Assert.Equal(before.Select(x => x.GetProperty("expires_at").ToString()).Order(), after.Select(x => x.GetProperty("expires_at").ToString()).Order());
    }

    [Fact]
    public async Task Submit_on_an_empty_selection_is_a_clear_report()
    {
        var summary = Path.Combine(TempDirs.Create("empty"), "summary.json");
        var r = await f.Catalogue.Ferry("data", "replicate", "--pattern", "nothing_matches_this", "--rse-expr", "DA", "--submit", "--summary", summary);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("matched nothing", r.Stderr);
        Assert.Contains("nothing was submitted", r.Stderr);
        Assert.Contains("\"items\":0", await File.ReadAllTextAsync(summary));
    }

    [Fact]
    public async Task The_endpoint_refuses_bad_selections_with_a_4xx()
    {
        foreach (var (body, cls) in new[]
        {
            ("""{"pattern":"(unclosed"}""", "InvalidObject"), ("""{"has_rule_on":["NOSUCH"]}""", "InvalidRSEExpression"),
            ("""{"type":"file"}""", "InvalidObject"), ("""{"frobnicate":true}""", "InvalidObject"), ("""{"limit":0}""", "InvalidObject"),
            ("""{"rule_expires_within":-5}""", "InvalidObject"), ("""{"scopes":"user.root"}""", "InvalidObject"),
        })
        {
            using var resp = await f.Api.SendAsync("POST", "/ferry/data/select", body);
            var message = await RawApi.AssertError(resp, 400, cls);
            Assert.DoesNotContain("\n", message);
        }
    }
}
