using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Transfer.Upload;

namespace Ferry.Transfer.Tests.Upload;

/// <summary>Nothing is written outside an RSE: the server's PFN must lie below the protocol's prefix.</summary>
public sealed class UploaderTests
{
    private static readonly DidRef Did = new("user.a", "f1");

    [Fact]
    public void A_pfn_below_the_root_is_taken()
    {
        Assert.Equal("root://eos//eos/rse/user/a/f1", Uploader.Inside("root://eos//eos/rse/", "root://eos//eos/rse/user/a/f1", Did));
    }

    [Theory]
    [InlineData("root://eos//eos/other/f1")]
    [InlineData("root://eos//eos/rse/")]
    [InlineData("root://eos//eos/rse/../x/f1")]
    [InlineData("root://eos//eos/rse/a//f1")]
    [InlineData("root://eos//eos/rse/./f1")]
    public void A_pfn_outside_or_climbing_is_refused_naming_the_did(string pfn)
    {
        var e = Assert.ThrowsAny<FerryException>(() => Uploader.Inside("root://eos//eos/rse/", pfn, Did));
        Assert.Equal("InvalidPath", e.ExceptionClass);
        Assert.Contains("user.a:f1", e.Message);
    }
}
