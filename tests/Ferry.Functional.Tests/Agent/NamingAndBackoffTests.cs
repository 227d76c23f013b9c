using Ferry.Agent.Naming;
using Ferry.Agent.Server;
using Ferry.Core.Errors;

namespace Ferry.Functional.Tests.Agent;

/// <summary>The pure parts of the agent: how a bare ds_name finds its scope, and the shape of the retry backoff.</summary>
public sealed class NamingAndBackoffTests
{
    [Theory]
    [InlineData("user.root:run42", "user.root", "run42")]
    [InlineData("data18_13TeV.00348885.physics_Main.AOD", "data18_13TeV", "data18_13TeV.00348885.physics_Main.AOD")]
    [InlineData("mc16_13TeV.361106.PowhegPythia8", "mc16_13TeV", "mc16_13TeV.361106.PowhegPythia8")]
    [InlineData("user.jdoe.mydata.v1", "user.jdoe", "user.jdoe.mydata.v1")]
    [InlineData("group.phys-higgs.ntuple", "group.phys-higgs", "group.phys-higgs.ntuple")]
    public void A_bare_name_takes_the_scope_ATLAS_would(string text, string scope, string name)
    {
        var did = DatasetName.Parse(text);
        Assert.Equal(scope, did.Scope);
        Assert.Equal(name, did.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("nodot")]
    [InlineData(".leading")]
    [InlineData("user.root:../x")]
    [InlineData("user.root:")]
    [InlineData("bad scope:x")]
    public void Malformed_names_are_refused_with_a_reason(string text)
    {
        var e = Assert.ThrowsAny<FerryException>(() => DatasetName.Parse(text));
        Assert.Equal(400, e.Status);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Backoff_doubles_from_one_second_and_never_passes_the_cap()
    {
        var cap = TimeSpan.FromMinutes(5);
        Assert.Equal(TimeSpan.FromSeconds(1), Backoff.Delay(1, cap, 0));
        Assert.Equal(TimeSpan.FromSeconds(8), Backoff.Delay(4, cap, 0));
        Assert.Equal(cap, Backoff.Delay(40, cap, 0));
        Assert.Equal(cap, Backoff.Delay(int.MaxValue, cap, 0));
        Assert.True(Backoff.Delay(40, cap, 1) >= cap * 0.8);
        Assert.Equal(TimeSpan.FromSeconds(2), Backoff.Delay(10, TimeSpan.FromSeconds(2), 0));
    }
}
