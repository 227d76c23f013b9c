using Ferry.Client.Sync;
using Ferry.Core.Errors;

namespace Ferry.Client.Tests.Sync;

public sealed class SyncFilterTests
{
    [Fact]
    public void Select_and_exclude_match_anywhere_unless_anchored()
    {
        var f = new SyncFilter("^CERN|DESY", "TAPE$");
        Assert.True(f.Takes("CERN_DISK"));
        Assert.True(f.Takes("X_DESY_DISK"));
        Assert.False(f.Takes("X_CERN_DISK"));
        Assert.False(f.Takes("CERN_TAPE"));
        Assert.True(new SyncFilter(null, null).Takes("ANY"));
    }

    [Fact]
    public void A_bad_pattern_names_its_option()
    {
        var e = Assert.ThrowsAny<FerryException>(() => new SyncFilter(null, "(unclosed"));
        Assert.Equal(400, e.Status);
        Assert.Contains("--exclude '(unclosed'", e.Message);
    }
}
