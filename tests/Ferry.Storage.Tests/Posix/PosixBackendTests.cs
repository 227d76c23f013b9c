using System.Text;
using Ferry.Core.Errors;
using Ferry.Storage.Posix;
using Ferry.Storage.Verification;

namespace Ferry.Storage.Tests.Posix;

/// <summary>Real files in a temporary directory: the posix backend and the verified copy on top of it.</summary>
public sealed class PosixBackendTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ferry-posix-" + Guid.NewGuid().ToString("N"));
    private readonly string _prefix;
    private readonly PosixBackend _backend;

    public PosixBackendTests()
    {
        _prefix = Path.Combine(_root, "rse");
        Directory.CreateDirectory(_prefix);
        _backend = new PosixBackend(_prefix);
    }

    [Theory]
    [InlineData("/../outside")]
    [InlineData("/a/../../outside")]
    [InlineData("/../rse-sibling/x")]
    public async Task Nothing_is_written_outside_the_prefix(string suffix)
    {
        var pfn = "file://localhost" + _prefix + suffix;
        var e = await Assert.ThrowsAsync<FerryException>(() => _backend.OpenWriteAsync(pfn, CancellationToken.None));
        Assert.Equal("InvalidPath", e.ExceptionClass);
        Assert.Equal([_prefix], Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public async Task A_verified_write_renames_only_after_the_checksum_matched()
    {
        var pfn = $"file://localhost{_prefix}/s/ab/cd/f";
        var data = Encoding.ASCII.GetBytes("Wikipedia");
        var ok = await VerifiedCopy.WriteAsync(new MemoryStream(data), _backend, pfn, new ExpectedChecksums(9, "11e60398", null), true, null, CancellationToken.None);
        Assert.Equal("11e60398", ok.Adler32);
        Assert.Equal("c8e3f38b7d5b8b6e1ea4f1a5e4cd3e6e".Length, ok.Md5!.Length);
        Assert.Equal(data, await File.ReadAllBytesAsync(_backend.LocalPath(pfn)));

        var bad = $"file://localhost{_prefix}/s/ab/cd/g";
        var e = await Assert.ThrowsAsync<FerryException>(() =>
            VerifiedCopy.WriteAsync(new MemoryStream(data), _backend, bad, new ExpectedChecksums(9, "00000001", null), false, null, CancellationToken.None));
        Assert.Equal("FileConsistencyMismatch", e.ExceptionClass);
        Assert.False(File.Exists(_backend.LocalPath(bad)));
        Assert.False(File.Exists(_backend.LocalPath(bad) + VerifiedCopy.TempSuffix));
    }

    [Fact]
    public async Task Delete_removes_the_file_and_the_empty_hash_directories_but_not_the_prefix()
    {
        var pfn = $"file://localhost{_prefix}/s/ab/cd/f";
        await VerifiedCopy.WriteAsync(new MemoryStream([1, 2, 3]), _backend, pfn, null, false, null, CancellationToken.None);
        await _backend.DeleteAsync(pfn, CancellationToken.None);
        Assert.False(Directory.Exists(Path.Combine(_prefix, "s")));
        Assert.True(Directory.Exists(_prefix));
        await _backend.DeleteAsync(pfn, CancellationToken.None);
    }

    [Fact]
    public async Task Ranged_reads_start_at_the_offset()
    {
        var pfn = $"file://localhost{_prefix}/r";
        await VerifiedCopy.WriteAsync(new MemoryStream(Encoding.ASCII.GetBytes("0123456789")), _backend, pfn, null, false, null, CancellationToken.None);
        await using var s = await _backend.OpenReadAsync(pfn, 6, CancellationToken.None);
        Assert.Equal("6789", await new StreamReader(s).ReadToEndAsync());
    }

    [Fact]
    public async Task Making_a_batch_durable_skips_files_that_went_and_refuses_paths_outside_the_prefix()
    {
        var kept = $"file://localhost{_prefix}/s/ab/cd/kept";
        await using (var w = await _backend.OpenWriteAsync(kept, CancellationToken.None)) w.Write(new byte[4096]);
        // The first file of the batch was cleaned up meanwhile: another one names the file system.
        await _backend.MakeDurableAsync([$"file://localhost{_prefix}/s/ab/cd/gone", kept], CancellationToken.None);
        await _backend.MakeDurableAsync([$"file://localhost{_prefix}/s/ab/cd/gone"], CancellationToken.None);
        var e = await Assert.ThrowsAsync<FerryException>(() => _backend.MakeDurableAsync(["file://localhost" + _prefix + "/../outside"], CancellationToken.None));
        Assert.Equal("InvalidPath", e.ExceptionClass);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_000)]
    [InlineData(1 << 20)]
    [InlineData((1 << 20) + 1)]
    [InlineData(3_000_000)]
    public async Task A_local_file_is_copied_and_checksummed_whole_on_either_path(int size)
    {
        // Up to one buffer (1 MiB) the copy reads and writes synchronously; above, it overlaps async reads and writes.
        var data = new byte[size];
        new Random(size).NextBytes(data);
        var source = Path.Combine(_root, "source.dat");
        var target = Path.Combine(_root, "target.dat");
        await File.WriteAllBytesAsync(source, data);
        Checksums sums;
        await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        await using (var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            sums = await VerifiedCopy.CopyAsync(input, output, computeMd5: true, null, CancellationToken.None);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.Equal(size, sums.Bytes);
        Assert.Equal(Ferry.Core.Checksums.Adler32.ToHex(Ferry.Core.Checksums.Adler32.Compute(data)), sums.Adler32);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data)), sums.Md5);
    }

    public void Dispose() => Directory.Delete(_root, true);
}
