using Ferry.Core.Errors;
using Ferry.Transfer.Upload;

namespace Ferry.Transfer.Tests.Upload;

/// <summary>Which upload errors are retried and how permanent ones are reported.</summary>
public sealed class UploadErrorsTests
{
    [Fact]
    public void Network_trouble_and_server_errors_are_transient()
    {
        Assert.True(UploadErrors.IsTransient(new HttpRequestException("refused")));
        Assert.True(UploadErrors.IsTransient(new TimeoutException()));
        Assert.True(UploadErrors.IsTransient(new FerryException("StorageUnavailable", 503, "down")));
        Assert.True(UploadErrors.IsTransient(new IOException("reset")));
    }

    [Fact]
    public void Refusals_cancellation_and_a_vanished_file_are_not_retried()
    {
        Assert.False(UploadErrors.IsTransient(new FerryException("RSEWriteBlocked", 503, "blocked")));
        Assert.False(UploadErrors.IsTransient(new FerryException("AccessDenied", 401, "no")));
        Assert.False(UploadErrors.IsTransient(new OperationCanceledException()));
        Assert.False(UploadErrors.IsTransient(new FileNotFoundException()));
        Assert.False(UploadErrors.IsTransient(new UploadFailure(ErrorKind.FileChanged, "changed")));
        // No space, read-only file system, quota: the storage refuses writes.
        Assert.False(UploadErrors.IsTransient(new IOException("full", 28)));
    }

    [Theory]
    [InlineData("InsufficientAccountLimit", 409, ErrorKind.QuotaExceeded)]
    [InlineData("ScopeNotFound", 404, ErrorKind.PermissionDenied)]
    [InlineData("RSENotFound", 404, ErrorKind.RseNotWritable)]
    [InlineData("FileConsistencyMismatch", 409, ErrorKind.ChecksumConflict)]
    [InlineData("ServiceUnavailable", 503, ErrorKind.Transient)]
    [InlineData("InvalidObject", 400, ErrorKind.Other)]
    public void Server_errors_are_classified_by_their_class(string cls, int status, ErrorKind kind)
    {
        Assert.Equal(kind, UploadErrors.Classify(new FerryException(cls, status, "m")));
    }

    [Fact]
    public void Storage_errors_are_classified_by_kind()
    {
        Assert.Equal(ErrorKind.RseNotWritable, UploadErrors.Classify(new UnauthorizedAccessException()));
        Assert.Equal(ErrorKind.RseNotWritable, UploadErrors.Classify(new IOException("read-only", 30)));
        Assert.Equal(ErrorKind.FileVanished, UploadErrors.Classify(new UploadFailure(ErrorKind.FileVanished, "gone")));
    }

    [Fact]
    public void Every_kind_has_its_own_code_and_wire_text()
    {
        var kinds = Enum.GetValues<ErrorKind>();
        Assert.Equal(kinds.Length, kinds.Select(UploadErrors.Code).Distinct().Count());
        Assert.Equal(kinds.Length, kinds.Select(UploadErrors.Wire).Distinct().Count());
        Assert.Equal("QUOTA_EXCEEDED", UploadErrors.Code(ErrorKind.QuotaExceeded));
        Assert.Equal("AccessDenied: no", UploadErrors.Describe(new FerryException("AccessDenied", 401, "no")));
    }
}
