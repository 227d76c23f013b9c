using Ferry.Core.Errors;
using Ferry.Core.Expressions;

namespace Ferry.Core.Tests.Expressions;

public sealed class RseExpressionTests
{
    private static RseFacts Rse(string name, params (string Key, string Value)[] attrs)
    {
        var a = attrs.ToDictionary(x => x.Key, x => x.Value);
        a[name] = "true";
        return new RseFacts(name, a, new Dictionary<string, string?> { ["rse"] = name, ["rse_type"] = name.Contains("TAPE") ? "TAPE" : "DISK", ["deterministic"] = "true", ["availability_write"] = "true" });
    }

    private static readonly RseFacts[] Sites =
    [
        Rse("CERN-DISK", ("tier", "0"), ("type", "DISK"), ("country", "ch"), ("freespace", "100")),
        Rse("CERN-TAPE", ("tier", "0"), ("type", "TAPE"), ("country", "ch"), ("istape", "true")),
        Rse("RAL-DISK", ("tier", "1"), ("type", "DISK"), ("country", "uk"), ("freespace", "50")),
        Rse("FZK-DISK", ("tier", "1"), ("type", "DISK"), ("country", "de"), ("freespace", "abc")),
        Rse("DESY-SCRATCH", ("tier", "2"), ("type", "DISK"), ("country", "de"), ("freespace", "5")),
    ];

    private static string[] Eval(string e) => RseExpression.Parse(e).Evaluate(Sites).ToArray();

    [Theory]
    [InlineData("CERN-DISK", "CERN-DISK")]
    [InlineData("tier=1", "FZK-DISK,RAL-DISK")]
    [InlineData("tier=1&country=uk", "RAL-DISK")]
    [InlineData("tier=0|tier=2", "CERN-DISK,CERN-TAPE,DESY-SCRATCH")]
    [InlineData("*\\type=TAPE", "CERN-DISK,DESY-SCRATCH,FZK-DISK,RAL-DISK")]
    [InlineData("istape", "CERN-TAPE")]
    [InlineData("istape=TRUE", "CERN-TAPE")]
    [InlineData("freespace>10", "CERN-DISK,RAL-DISK")]
    [InlineData("freespace<60", "DESY-SCRATCH,RAL-DISK")]
    [InlineData("istape>0", "CERN-TAPE")]
    [InlineData("rse_type=TAPE", "CERN-TAPE")]
    [InlineData("((((RAL-DISK))))", "RAL-DISK")]
    [InlineData("UNKNOWN|RAL-DISK", "RAL-DISK")]
    public void Selects_what_rucio_selects(string expression, string expected) =>
        Assert.Equal(expected.Split(','), Eval(expression));

    [Fact]
    public void Operators_have_no_precedence_and_run_left_to_right()
    {
        // (tier=0 | tier=1) & country=de, not tier=0 | (tier=1 & country=de)
        Assert.Equal(["FZK-DISK"], Eval("tier=0|tier=1&country=de"));
        Assert.Equal(["CERN-DISK", "CERN-TAPE", "FZK-DISK"], Eval("tier=0|(tier=1&country=de)"));
        // (* \ tier=0) | CERN-TAPE
        Assert.Contains("CERN-TAPE", Eval("*\\tier=0|CERN-TAPE"));
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("A|", 3)]
    [InlineData("|A", 1)]
    [InlineData("A||B", 3)]
    [InlineData("(A", 1)]
    [InlineData("A)", 2)]
    [InlineData("(A)B", 4)]
    [InlineData("a b", 2)]
    [InlineData("tier=1.5", 7)]
    [InlineData("a=b=c", 4)]
    [InlineData("A__B", 1)]
    public void Syntax_errors_name_the_position(string expression, int position)
    {
        var e = Assert.Throws<FerryException>(() => RseExpression.Parse(expression));
        Assert.Equal("InvalidRSEExpression", e.ExceptionClass);
        Assert.Contains($"position {position}", e.Message);
    }

    [Fact]
    public void An_empty_result_is_an_error_but_empty_intermediates_are_fine()
    {
        var e = Assert.Throws<FerryException>(() => Eval("tier=7"));
        Assert.Contains("empty set", e.Message);
        Assert.Equal(["RAL-DISK"], Eval("tier=7|RAL-DISK"));
    }

    [Fact]
    public void Invalid_property_values_are_InvalidObject()
    {
        var e = Assert.Throws<FerryException>(() => Eval("rse_type=tape"));
        Assert.Equal("InvalidObject", e.ExceptionClass);
        Assert.Equal("InvalidObject", Assert.Throws<FerryException>(() => Eval("deterministic=yes")).ExceptionClass);
    }
}
