using System.Text;
using Ferry.Core.Checksums;

namespace Ferry.Core.Tests.Checksums;

public sealed class Adler32Tests
{
    /// <summary>The definition, byte by byte with a modulo each time: slow and obviously right.</summary>
    private static uint Reference(ReadOnlySpan<byte> data, uint start = 1)
    {
        uint a = start & 0xFFFF, b = start >> 16;
        foreach (var x in data) { a = (a + x) % 65521; b = (b + a) % 65521; }
        return (b << 16) | a;
    }

    [Theory]
    [InlineData("", "00000001")]
    [InlineData("a", "00620062")]
    [InlineData("Wikipedia", "11e60398")]
    // Value from Python's zlib.adler32; 62 bytes exercise the 32-byte vector path and the scalar tail.
    [InlineData("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "df5b150c")]
    public void Known_values(string text, string hex) => Assert.Equal(hex, Adler32.ToHex(Adler32.Compute(Encoding.ASCII.GetBytes(text))));

    [Fact]
    public void Random_buffers_of_every_small_length_match_the_definition()
    {
        var rng = new Random(7);
        for (var len = 0; len <= 2100; len++)
        {
            var data = new byte[len];
            rng.NextBytes(data);
            Assert.Equal(Reference(data), Adler32.Compute(data));
        }
    }

    [Theory]
    [InlineData(5552)]
    [InlineData(5553)]
    [InlineData(65536)]
    [InlineData(1_048_576 + 13)]
    public void Large_buffers_match_the_definition(int len)
    {
        var data = new byte[len];
        new Random(len).NextBytes(data);
        Assert.Equal(Reference(data), Adler32.Compute(data));
    }

    [Fact]
    public void All_ones_bytes_do_not_overflow()
    {
        var data = new byte[4 * 1024 * 1024 + 31];
        Array.Fill(data, (byte)0xFF);
        Assert.Equal(Reference(data), Adler32.Compute(data));
        Assert.Equal(Adler32.UpdateScalar(1, data), Adler32.Compute(data));
    }

    [Fact]
    public void Updating_in_pieces_equals_one_pass()
    {
        var data = new byte[300_001];
        var rng = new Random(3);
        rng.NextBytes(data);
        var whole = Adler32.Compute(data);
        for (var trial = 0; trial < 20; trial++)
        {
            var adler = Adler32.Initial;
            var pos = 0;
            while (pos < data.Length)
            {
                var n = Math.Min(data.Length - pos, rng.Next(0, 70_000));
                adler = Adler32.Update(adler, data.AsSpan(pos, n));
                pos += n;
            }
            Assert.Equal(whole, adler);
        }
    }
}
