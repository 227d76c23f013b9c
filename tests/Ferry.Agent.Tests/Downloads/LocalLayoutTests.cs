using Ferry.Agent.Downloads;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Agent.Tests.Downloads;

/// <summary>DIR/SCOPE/DATASET/FILE, checked to stay inside DIR and out of the agent's state directory (paths only, no files).</summary>
public sealed class LocalLayoutTests
{
    private readonly LocalLayout _layout = new("/data/agent/");

    [Fact]
    public void Files_land_under_the_datasets_scope_and_name()
    {
        Assert.Equal("/data/agent", _layout.Root);
        Assert.Equal("user.a/ds1", _layout.DatasetDir(new DidRef("user.a", "ds1")));
        Assert.Equal("user.a/ds1/f1.root", _layout.RelativePath(new DidRef("user.a", "ds1"), new DidRef("user.b", "f1.root")));
        Assert.Equal("/data/agent/user.a/ds1/f1.root", _layout.Absolute("user.a/ds1/f1.root"));
    }

    [Fact]
    public void The_same_dataset_name_in_two_scopes_lands_apart()
    {
        Assert.NotEqual(_layout.DatasetDir(new DidRef("user.a", "ds")), _layout.DatasetDir(new DidRef("user.b", "ds")));
    }

    [Fact]
    public void Cms_style_names_are_placed_as_rucio_places_them()
    {
        Assert.Equal("cms/store/a/ds/f.root", _layout.RelativePath(new DidRef("cms", "/store/a/ds"), new DidRef("cms", "/store/a/x/f.root")));
    }

    [Fact]
    public void Nothing_lands_in_the_agents_state_directory_or_outside_dir()
    {
        Assert.Equal("InvalidPath", Assert.ThrowsAny<FerryException>(() => _layout.Absolute(".ferry-agent/state.db")).ExceptionClass);
        Assert.Equal("InvalidPath", Assert.ThrowsAny<FerryException>(() => _layout.Absolute("../elsewhere")).ExceptionClass);
        Assert.Equal("InvalidPath", Assert.ThrowsAny<FerryException>(() => _layout.RelativePath(new DidRef(".ferry-agent", "x"), new DidRef("user.a", "f"))).ExceptionClass);
    }
}
