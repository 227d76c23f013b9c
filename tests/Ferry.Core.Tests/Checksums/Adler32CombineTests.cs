using Ferry.Core.Checksums;

namespace Ferry.Core.Tests.Checksums;

/// <summary>Pieces checksummed apart (parallel ranged downloads) must combine into the checksum of the whole.</summary>
public sealed class Adler32CombineTests
{
    // Byte at a time with a modulo after every byte: obviously correct, so Combine is checked against it.
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        foreach (var x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 10)]
    [InlineData(10, 0)]
    [InlineData(1, 1)]
    [InlineData(65520, 65522)]
    [InlineData(200_000, 131_071)]
    [InlineData(3, 1_000_003)]
    public void Two_pieces_combine_into_the_checksum_of_both(int first, int second)
    {
        var data = new byte[first + second];
        // All 0xFF bytes push both sums to their largest values, where an overflow or a missing modulo would show.
        if (first % 2 == 0) Array.Fill(data, (byte)0xFF);
        else new Random(first ^ second).NextBytes(data);
        var combined = Adler32.Combine(Adler32.Compute(data.AsSpan(0, first)), Adler32.Compute(data.AsSpan(first)), second);
        Assert.Equal(Reference(data), combined);
    }

    [Fact]
    public void Four_ranges_combined_in_order_give_the_whole_and_out_of_order_do_not()
    {
        var data = new byte[1_000_001];
        new Random(7).NextBytes(data);
        var step = data.Length / 4;
        var ranges = Enumerable.Range(0, 4).Select(i => (Offset: i * step, Length: i == 3 ? data.Length - 3 * step : step)).ToArray();
        var sums = ranges.Select(r => Adler32.Compute(data.AsSpan(r.Offset, r.Length))).ToArray();
        var whole = sums[0];
        for (var i = 1; i < 4; i++) whole = Adler32.Combine(whole, sums[i], ranges[i].Length);
        Assert.Equal(Reference(data), whole);

        var swapped = Adler32.Combine(Adler32.Combine(Adler32.Combine(sums[0], sums[2], ranges[2].Length), sums[1], ranges[1].Length), sums[3], ranges[3].Length);
        Assert.NotEqual(Reference(data), swapped);
    }

    [Fact]
    public void A_negative_length_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Adler32.Combine(1, 1, -1));
}
