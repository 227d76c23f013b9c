using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Core.Tests.Identifiers;

public sealed class NamesTests
{
    [Theory]
    [InlineData("file1.root")]
    [InlineData("AOD.12345._000001.pool.root.1")]
    [InlineData("run/2026/a.dat")]
    [InlineData("/abs/style")]
    public void Accepts_rucio_names(string name) => Assert.Equal(name, Names.DidName(name));

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData(".hidden")]
    [InlineData("sp ace")]
    [InlineData("comma,name")]
    [InlineData("quote'name")]
    [InlineData("tab\tname")]
    [InlineData("ünïcode")]
    public void Refuses_names_that_could_escape_or_confuse(string name)
    {
        var e = Assert.Throws<FerryException>(() => Names.DidName(name));
        Assert.Equal(400, e.Status);
    }

    [Fact]
    public void Length_limit_is_250() => Assert.Throws<FerryException>(() => Names.DidName(new string('a', 251)));

    [Fact]
    public void Control_characters_are_not_echoed() =>
        Assert.DoesNotContain('\u0001', Assert.Throws<FerryException>(() => Names.DidName("a\u0001b")).Message);

    [Theory]
    [InlineData("user.jdoe:file1", "user.jdoe", "file1")]
    [InlineData("data18_13TeV:AOD.1", "data18_13TeV", "AOD.1")]
    public void Parses_dids(string text, string scope, string name) => Assert.Equal(new DidRef(scope, name), DidRef.Parse(text));

    [Fact]
    public void A_did_without_scope_needs_a_default() => Assert.Throws<FerryException>(() => DidRef.Parse("noscope"));

    [Theory]
    [InlineData("SITE_A", true)]
    [InlineData("SITE-B-DISK", true)]
    [InlineData("site_a", false)]
    [InlineData("SITE__A", false)]
    [InlineData("-SITE", false)]
    public void Rse_names_follow_rucio(string name, bool valid)
    {
        if (valid) Assert.Equal(name, Names.Rse(name));
        else Assert.Throws<FerryException>(() => Names.Rse(name));
    }
}
