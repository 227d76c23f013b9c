using Ferry.Agent.Naming;
using Ferry.Core.Errors;

namespace Ferry.Agent.Tests.Naming;

/// <summary>How a bare ds_name finds its scope (moved here from the functional tests: it needs no process).</summary>
public sealed class DatasetNameTests
{
    [Theory]
    [InlineData("user.root:run42", "user.root", "run42")]
    [InlineData("data18_13TeV.00348885.physics_Main.AOD", "data18_13TeV", "data18_13TeV.00348885.physics_Main.AOD")]
    [InlineData("mc16_13TeV.361106.PowhegPythia8", "mc16_13TeV", "mc16_13TeV.361106.PowhegPythia8")]
    [InlineData("user.jdoe.mydata.v1", "user.jdoe", "user.jdoe.mydata.v1")]
    [InlineData("group.phys-higgs.ntuple", "group.phys-higgs", "group.phys-higgs.ntuple")]
    [InlineData("  user.jdoe.x  ", "user.jdoe", "user.jdoe.x")]
    [InlineData("user.x", "user", "user.x")]
    public void A_bare_name_takes_the_scope_ATLAS_would(string text, string scope, string name)
    {
        var did = DatasetName.Parse(text);
        Assert.Equal(scope, did.Scope);
        Assert.Equal(name, did.Name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("nodot")]
    [InlineData(".leading")]
    [InlineData("user.root:../x")]
    [InlineData("user.root:")]
    [InlineData("bad scope:x")]
    public void Malformed_names_are_refused_with_a_reason(string? text)
    {
        var e = Assert.ThrowsAny<FerryException>(() => DatasetName.Parse(text));
        Assert.Equal(400, e.Status);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }
}
