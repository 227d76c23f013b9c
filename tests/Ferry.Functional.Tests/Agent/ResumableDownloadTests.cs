using Ferry.Transfer;
using Ferry.Core.Checksums;
using Ferry.Core.Errors;
using Ferry.Functional.Tests.Infrastructure;
using Ferry.Storage.Verification;

namespace Ferry.Functional.Tests.Agent;

/// <summary>ResumableDownload on local files: resume by byte range, restart after a bad .part, never an unverified final file.</summary>
public sealed class ResumableDownloadTests
{
    private static readonly byte[] Data = Enumerable.Range(0, 3_000_000).Select(i => (byte)(i * 31 + i / 7)).ToArray();
    private static ExpectedChecksums Expected => new(Data.Length, Adler32.ToHex(Adler32.Compute(Data)), null);

    private static Func<long, CancellationToken, Task<Stream>> Source(List<long> offsets) => (offset, _) =>
    {
        offsets.Add(offset);
        return Task.FromResult<Stream>(new MemoryStream(Data, (int)offset, Data.Length - (int)offset));
    };

    [Fact]
    public async Task A_partial_file_is_continued_from_its_length()
    {
        var final = Path.Combine(TempDirs.Create("resume"), "f.dat");
        await File.WriteAllBytesAsync(final + ".ferry.part", Data[..1_234_567]);
        var offsets = new List<long>();
        var result = await new ResumableDownload(final, Expected).RunAsync(Source(offsets));
        Assert.Equal(ResumableOutcome.Resumed, result.Outcome);
        Assert.Equal([1_234_567L], offsets);
        Assert.Equal(Data, await File.ReadAllBytesAsync(final));
        Assert.False(File.Exists(final + ".ferry.part"));

        // Present and verified: nothing is read again.
        Assert.Equal(ResumableOutcome.AlreadyPresent, (await new ResumableDownload(final, Expected).RunAsync(Source(offsets))).Outcome);
        Assert.Single(offsets);
    }

    [Fact]
    public async Task A_corrupt_part_fails_verification_is_dropped_and_the_next_attempt_starts_from_zero()
    {
        var final = Path.Combine(TempDirs.Create("resume"), "f.dat");
        var bad = Data[..1_000_000];
        bad[10] ^= 0xFF;
        await File.WriteAllBytesAsync(final + ".ferry.part", bad);
        var offsets = new List<long>();
        var e = await Assert.ThrowsAnyAsync<FerryException>(() => new ResumableDownload(final, Expected).RunAsync(Source(offsets)));
        Assert.Equal("FileConsistencyMismatch", e.ExceptionClass);
        Assert.False(File.Exists(final));
        Assert.False(File.Exists(final + ".ferry.part"));

        Assert.Equal(ResumableOutcome.Downloaded, (await new ResumableDownload(final, Expected).RunAsync(Source(offsets))).Outcome);
        Assert.Equal([1_000_000L, 0L], offsets);
        Assert.Equal(Data, await File.ReadAllBytesAsync(final));
    }

    [Fact]
    public async Task A_wrong_file_under_the_final_name_is_fetched_again_and_a_longer_part_is_cut()
    {
        var dir = TempDirs.Create("resume");
        var final = Path.Combine(dir, "f.dat");
        await File.WriteAllBytesAsync(final, Data[..100]);
        var offsets = new List<long>();
        Assert.Equal(ResumableOutcome.Downloaded, (await new ResumableDownload(final, Expected).RunAsync(Source(offsets))).Outcome);
        Assert.Equal(Data, await File.ReadAllBytesAsync(final));

        var other = Path.Combine(dir, "g.dat");
        await File.WriteAllBytesAsync(other + ".ferry.part", [.. Data, 1, 2, 3]);
        Assert.Equal(ResumableOutcome.Resumed, (await new ResumableDownload(other, Expected).RunAsync(Source(offsets))).Outcome);
        Assert.Equal(Data, await File.ReadAllBytesAsync(other));
    }
}
