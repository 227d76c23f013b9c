using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Identifiers;
using Ferry.Core.Selection;

namespace Ferry.Core.Tests.Selection;

public sealed class SelectionTests
{
    private static RseFacts Rse(string name, string tier) =>
        new(name, new Dictionary<string, string> { [name] = "true", ["tier"] = tier }, new Dictionary<string, string?> { ["rse"] = name });

    private static readonly RseFacts[] Sites = [Rse("A", "1"), Rse("B", "1"), Rse("C", "2")];

    [Theory]
    [InlineData("run*", "run.*")]
    [InlineData("*.root", ".*.root")]
    [InlineData("data?", "data.")]
    public void Glob_looking_patterns_get_a_suggestion(string pattern, string suggestion) =>
        Assert.Contains($"did you mean '{suggestion}'", GlobHint.For(pattern));

    [Theory]
    [InlineData("run.*")]
    [InlineData("run_[0-9]+")]
    [InlineData("a(bc)*")]
    [InlineData("x.+?y")]
    [InlineData("plain_name")]
    public void Real_regexes_get_no_hint(string pattern) => Assert.Null(GlobHint.For(pattern));

    [Fact]
    public void The_pattern_must_match_the_whole_name()
    {
        var rx = new DataSelection { Pattern = "run_[0-9]" }.CompiledPattern()!;
        Assert.Matches(rx, "run_1");
        Assert.DoesNotMatch(rx, "run_12");
        Assert.DoesNotMatch(rx, "xrun_1");
        var e = Assert.Throws<FerryException>(() => new DataSelection { Pattern = "run_[" }.Validate());
        Assert.Contains("'run_['", e.Message);
        Assert.DoesNotContain("\\A", e.Message);
    }

    [Fact]
    public void A_rule_is_on_an_expression_that_covers_every_RSE_it_selects()
    {
        var on = RuleOn.MatchingExpressions("tier=1", ["A", "B", "C", "tier=1", "A|C", "*", "NOSUCH"], Sites);
        Assert.Equal(["A", "B", "tier=1"], on.Order(StringComparer.Ordinal));
        Assert.Equal(["A"], RuleOn.MatchingExpressions("A", ["A", "tier=1"], Sites));
    }

    [Fact]
    public void Did_lists_report_bad_lines_with_their_number_and_keep_the_rest()
    {
        var (dids, bad) = DidList.Parse(["user.a:one", "", "# comment", "no colon", "user.a:one", "  user.b:two  ", "bad scope!:x"]);
        Assert.Equal([new DidRef("user.a", "one"), new DidRef("user.b", "two")], dids);
        Assert.Equal([4, 7], bad.Select(b => b.Line));
    }

    [Fact]
    public void Validation_catches_what_needs_no_catalogue()
    {
        Assert.Throws<FerryException>(() => new DataSelection { HasRuleOn = ["A&("] }.Validate());
        Assert.Throws<FerryException>(() => new DataSelection { NeverHadRuleOn = ["lower"] }.Validate());
        Assert.Throws<FerryException>(() => new DataSelection { RuleExpiresWithinSeconds = 0 }.Validate());
        var t = DateTimeOffset.UtcNow;
        Assert.Throws<FerryException>(() => new DataSelection { CreatedAfter = t, CreatedBefore = t }.Validate());
        Assert.Throws<FerryException>(() => DataSelection.ParseType("files"));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero), DataSelection.ParseDate("2026-11-22", "x"));
    }
}
