using Ferry.Core.Checksums;
using Ferry.Storage.S3;
using Ferry.Storage.Verification;
using Ferry.Testing;

namespace Ferry.Storage.Tests.Protocols;

/// <summary>
/// Which md5 pass an S3 write makes. A single PUT's ETag is the md5 of what was stored, so the copy computes the md5
/// while sending and compares it (the SDK's own pass is skipped); objects of a known size up to 128 MiB go up that way.
/// A multipart object's ETag is no md5 on S3, so the copy does not compute one and the SDK checks each part instead.
/// </summary>
public sealed class S3ChecksumTests
{
    private static (S3Backend Backend, TestStorage Area) Open()
    {
        StorageServices.Require();
        var area = StorageServices.Area("s3", "md5-" + Guid.NewGuid().ToString("N")[..10]);
        return ((S3Backend)StorageRegistry.Create(new ProtocolSpec(area.Scheme, area.Hostname, area.Port, area.Prefix), area.Credentials), area);
    }

    [SkippableFact]
    public async Task A_single_put_is_checked_against_the_md5_computed_while_sending()
    {
        var (s3, area) = Open();
        var data = new byte[700_000];
        new Random(7).NextBytes(data);
        var adler = Adler32.ToHex(Adler32.Update(Adler32.Initial, data));
        var sums = await VerifiedCopy.WriteAsync(new MemoryStream(data), s3, area.Pfn("one.bin"), new ExpectedChecksums(data.Length, adler, null), false, null, CancellationToken.None);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data)), sums.Md5);
        Assert.Equal(sums.Md5, (await s3.ChecksumAsync(area.Pfn("one.bin"), CancellationToken.None))!.Value);
    }

    [SkippableFact]
    public async Task A_multipart_object_is_sent_without_a_whole_file_md5_and_arrives_whole()
    {
        var (s3, area) = Open();
        var data = new byte[S3Backend.SinglePutLimit + 100_000];
        new Random(8).NextBytes(data);
        var adler = Adler32.ToHex(Adler32.Update(Adler32.Initial, data));
        var sums = await VerifiedCopy.WriteAsync(new MemoryStream(data), s3, area.Pfn("big.bin"), new ExpectedChecksums(data.Length, adler, null), false, null, CancellationToken.None);
        Assert.Null(sums.Md5);
        Assert.Equal(adler, sums.Adler32);
        var copy = new MemoryStream();
        await using (var read = await s3.OpenReadAsync(area.Pfn("big.bin"), 0, CancellationToken.None)) await read.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
        // 128 MiB is too much to leave behind on the test server after every run.
        await s3.DeleteAsync(area.Pfn("big.bin"), CancellationToken.None);
    }

    [SkippableFact]
    public async Task A_source_longer_than_it_declared_is_refused_and_nothing_is_stored()
    {
        var (s3, area) = Open();
        var ex = await Assert.ThrowsAsync<StorageException>(() => s3.WriteAsync(area.Pfn("long.bin"), new MemoryStream(new byte[1001]), 1000, CancellationToken.None));
        Assert.Contains("more than the 1000 bytes", ex.Message);
        Assert.Null(await s3.StatAsync(area.Pfn("long.bin"), CancellationToken.None));
    }

    [Fact]
    public void The_md5_is_expected_for_single_puts_and_unknown_sizes_only()
    {
        var s3 = new S3Backend(new ProtocolSpec("s3", "127.0.0.1", 9, "/b/"), new Dictionary<string, string> { ["access_key"] = "a", ["secret_key"] = "s" });
        Assert.Equal("md5", s3.AlgorithmFor(10));
        Assert.Equal("md5", s3.AlgorithmFor(null));
        Assert.Equal("md5", s3.AlgorithmFor(S3Backend.SinglePutLimit));
        Assert.Null(s3.AlgorithmFor(S3Backend.SinglePutLimit + 1L));
        var kms = new S3Backend(new ProtocolSpec("s3", "127.0.0.1", 9, "/b/"), new Dictionary<string, string> { ["access_key"] = "a", ["secret_key"] = "s", ["etag_is_md5"] = "false" });
        Assert.Null(kms.AlgorithmFor(10));
    }
}
