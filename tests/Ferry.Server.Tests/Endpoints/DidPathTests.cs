using Ferry.Server.Endpoints;

namespace Ferry.Server.Tests.Endpoints;

/// <summary>/dids/{scope}/{name}[/suffix] split as Rucio does, with '/' in names sent as %2F.</summary>
public sealed class DidPathTests
{
    [Theory]
    [InlineData("user.a/file1", "user.a", "file1", null, null)]
    [InlineData("user.a/ds/files", "user.a", "ds", "files", null)]
    [InlineData("user.a/ds/rules/", "user.a", "ds", "rules", null)]
    [InlineData("user.a/ds/meta/run", "user.a", "ds", "meta", "run")]
    [InlineData("cms/%2Fstore%2Fdata%2Ff.root", "cms", "/store/data/f.root", null, null)]
    [InlineData("cms/%2Fstore/x/dids", "cms", "/store/x", "dids", null)]
    public void Scope_name_suffix_and_key(string rest, string scope, string name, string? suffix, string? key)
    {
        Assert.Equal(new DidPath(scope, name, suffix, key), DidPath.Parse(rest));
    }

    [Fact]
    public void A_suffix_alone_is_a_name_when_nothing_precedes_it()
    {
        Assert.Equal(new DidPath("user.a", "files", null, null), DidPath.Parse("user.a/files"));
    }

    [Theory]
    [InlineData("user.a")]
    [InlineData("/file1")]
    [InlineData("")]
    public void Without_scope_and_name_there_is_no_path(string rest)
    {
        Assert.Null(DidPath.Parse(rest));
    }
}
