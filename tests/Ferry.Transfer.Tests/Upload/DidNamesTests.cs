using Ferry.Transfer.Upload;

namespace Ferry.Transfer.Tests.Upload;

/// <summary>DID names made from file paths: why a path is no name, and --sanitize-names.</summary>
public sealed class DidNamesTests
{
    [Theory]
    [InlineData("run 1/ä,b.root", "run_1/__b.root")]
    [InlineData("_hidden", "x_hidden")]
    [InlineData(".dot", "x.dot")]
    [InlineData("ok/name-1_2.root", "ok/name-1_2.root")]
    [InlineData("😀", "x_")]
    public void Sanitize_maps_each_character_once_and_fixes_the_start(string name, string sanitized)
    {
        Assert.Equal(sanitized, DidNames.Sanitize(name));
        Assert.Null(DidNames.Problem(sanitized));
    }

    [Fact]
    public void Why_names_the_characters_not_allowed()
    {
        Assert.Equal("not allowed: ' ' ','", DidNames.Why("a b,c, d"));
        Assert.Equal("251 characters, at most 250", DidNames.Why(new string('a', 251)));
    }

    [Fact]
    public void A_valid_name_has_no_problem()
    {
        Assert.Null(DidNames.Problem("data/run1.root"));
        Assert.NotNull(DidNames.Problem("a/../b"));
    }
}
