using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Transfer.Tests;

/// <summary>Where downloads land: Rucio's placement, and never outside the download directory whatever the server sends.</summary>
public sealed class DownloadPathsTests
{
    [Fact]
    public void A_file_by_itself_lands_in_scope_slash_name()
    {
        Assert.Equal("user.a/f1.root", DownloadPaths.OfFile(new DidRef("user.a", "f1.root")));
        Assert.Equal("cms/store/data/f.root", DownloadPaths.OfFile(new DidRef("cms", "/store/data/f.root")));
    }

    [Fact]
    public void A_collections_member_lands_in_the_collections_directory()
    {
        Assert.Equal("ds1/f1.root", DownloadPaths.OfMember(new DidRef("user.a", "ds1"), new DidRef("user.a", "f1.root")));
        Assert.Equal("ds1/sub/f1.root", DownloadPaths.OfMember(new DidRef("user.a", "ds1"), new DidRef("user.a", "sub/f1.root")));
        // A name rooted at '/' (CMS) keeps only its last segment inside the collection.
        Assert.Equal("store/a/ds/f.root", DownloadPaths.OfMember(new DidRef("cms", "/store/a/ds"), new DidRef("cms", "/store/a/x/f.root")));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("./x")]
    [InlineData("")]
    public void Names_from_the_server_that_could_climb_out_are_refused(string name)
    {
        Assert.ThrowsAny<FerryException>(() => DownloadPaths.OfFile(new DidRef("user.a", name)));
        Assert.ThrowsAny<FerryException>(() => DownloadPaths.InCollection(name));
    }

    [Fact]
    public void Under_keeps_a_path_inside_the_root()
    {
        Assert.Equal("/data/dl/user.a/f1", DownloadPaths.Under("/data/dl/", "user.a/f1"));
        Assert.Equal("/data/dl/x", DownloadPaths.Under("/data/dl/./", "a/../x"));
    }

    [Theory]
    [InlineData("../dl2/f")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../..")]
    [InlineData(".")]
    public void Under_refuses_anything_that_lands_elsewhere_or_on_the_root_itself(string relative)
    {
        var e = Assert.ThrowsAny<FerryException>(() => DownloadPaths.Under("/data/dl", relative));
        Assert.Equal("InvalidPath", e.ExceptionClass);
    }

    [Fact]
    public void A_collision_names_both_files_in_order()
    {
        Assert.Equal("user.a:x/f and user.b:f would both land at ds/f",
            DownloadPaths.Collision("ds/f", [new DidRef("user.b", "f"), new DidRef("user.a", "x/f")]));
    }
}
