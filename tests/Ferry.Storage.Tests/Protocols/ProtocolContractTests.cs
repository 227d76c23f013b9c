using Ferry.Core.Checksums;
using Ferry.Storage;
using Ferry.Storage.Verification;
using Ferry.Testing;

namespace Ferry.Storage.Tests.Protocols;

/// <summary>Every backend against its real server: the same operations must mean the same thing on each.</summary>
public sealed class ProtocolContractTests
{
    public static TheoryData<string> Schemes => new(StorageServices.Schemes);

    private static (IStorageBackend Backend, TestStorage Area) Open(string scheme)
    {
        StorageServices.Require();
        var area = StorageServices.Area(scheme, "contract-" + Guid.NewGuid().ToString("N")[..10]);
        return (StorageRegistry.Create(new ProtocolSpec(area.Scheme, area.Hostname, area.Port, area.Prefix), area.Credentials), area);
    }

    private static byte[] Bytes(int n, int seed)
    {
        var data = new byte[n];
        new Random(seed).NextBytes(data);
        return data;
    }

    [SkippableTheory, MemberData(nameof(Schemes))]
    public async Task Write_stat_read_ranges_list_move_delete(string scheme)
    {
        var (backend, area) = Open(scheme);
        var ct = CancellationToken.None;
        var data = Bytes(300_000, 1);
        var pfn = area.Pfn("a/b/c/file.bin");
        Assert.Null(await backend.StatAsync(pfn, ct));

        var sums = await VerifiedCopy.WriteAsync(new MemoryStream(data), backend, pfn, new ExpectedChecksums(data.Length, Adler32.ToHex(Adler32.Update(Adler32.Initial, data)), null), false, null, ct);
        Assert.Equal(data.Length, sums.Bytes);
        Assert.Equal(data.Length, (await backend.StatAsync(pfn, ct))!.Bytes);

        await using (var all = await backend.OpenReadAsync(pfn, 0, ct)) Assert.Equal(data, await ReadAll(all));
        await using (var tail = await backend.OpenReadAsync(pfn, 123_457, ct)) Assert.Equal(data[123_457..], await ReadAll(tail));

        if (backend is IServerSideChecksum checksummer && await checksummer.ChecksumAsync(pfn, ct) is { } stored)
            Assert.Equal(stored.Algorithm == "md5" ? Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data)) : sums.Adler32, stored.Value);

        var other = area.Pfn("x/moved.bin");
        await backend.WriteAsync(area.Pfn("x/tmp.bin"), new MemoryStream(Bytes(10, 2)), 10, ct);
        await backend.MoveAsync(area.Pfn("x/tmp.bin"), other, ct);
        Assert.Null(await backend.StatAsync(area.Pfn("x/tmp.bin"), ct));

        var listed = new List<string>();
        await foreach (var p in backend.ListAsync(area.Pfn(""), ct)) listed.Add(p);
        Assert.Equal(new[] { "a/b/c/file.bin", "x/moved.bin" }, listed.Select(p => p[(p.IndexOf(area.Prefix, StringComparison.Ordinal) + area.Prefix.Length)..]).Order(StringComparer.Ordinal));

        await backend.DeleteAsync(pfn, ct);
        await backend.DeleteAsync(pfn, ct);
        Assert.Null(await backend.StatAsync(pfn, ct));
        await backend.DeleteAsync(other, ct);
    }

    [SkippableTheory, MemberData(nameof(Schemes))]
    public async Task A_wrong_checksum_leaves_nothing_under_the_final_name(string scheme)
    {
        var (backend, area) = Open(scheme);
        var pfn = area.Pfn("bad/file.bin");
        var e = await Assert.ThrowsAsync<Core.Errors.FerryException>(() =>
            VerifiedCopy.WriteAsync(new MemoryStream(Bytes(5000, 3)), backend, pfn, new ExpectedChecksums(5000, "00000001", null), false, null, CancellationToken.None));
        Assert.Equal("FileConsistencyMismatch", e.ExceptionClass);
        Assert.Null(await backend.StatAsync(pfn, CancellationToken.None));
        Assert.Null(await backend.StatAsync(pfn + VerifiedCopy.TempSuffix, CancellationToken.None));
    }

    [SkippableTheory, MemberData(nameof(Schemes))]
    public async Task Large_objects_round_trip_byte_for_byte(string scheme)
    {
        var (backend, area) = Open(scheme);
        // Above the S3 part size, so S3 goes multipart; many SFTP windows; several HTTP buffers.
        var data = Bytes(40 << 20, 4);
        var pfn = area.Pfn("big/object.bin");
        await VerifiedCopy.WriteAsync(new MemoryStream(data), backend, pfn, new ExpectedChecksums(data.Length, Adler32.ToHex(Adler32.Update(Adler32.Initial, data)), null), false, null, CancellationToken.None);
        byte[] back;
        await using (var s = await backend.OpenReadAsync(pfn, 0, CancellationToken.None)) back = await ReadAll(s);
        Assert.True(data.AsSpan().SequenceEqual(back));
        await backend.DeleteAsync(pfn, CancellationToken.None);
    }

    private static async Task<byte[]> ReadAll(Stream s)
    {
        var ms = new MemoryStream();
        await s.CopyToAsync(ms);
        return ms.ToArray();
    }
}
