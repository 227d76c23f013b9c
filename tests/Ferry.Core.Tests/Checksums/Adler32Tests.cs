using System.Runtime.Intrinsics.X86;
using System.Text;
using Ferry.Core.Checksums;

namespace Ferry.Core.Tests.Checksums;

public sealed class Adler32Tests
{
    // Byte-at-a-time definition with a modulo after every byte: too slow for production, but
    // obviously correct, so every fast path is checked against it rather than against itself.
    private static uint Reference(uint adler, ReadOnlySpan<byte> data)
    {
        uint a = adler & 0xFFFF, b = adler >> 16;
        foreach (var x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }

    private static uint Reference(ReadOnlySpan<byte> data) => Reference(1, data);

    private static byte[] RandomBytes(int length, int seed)
    {
        var buffer = new byte[length];
        new Random(seed).NextBytes(buffer);
        return buffer;
    }

    // Every implementation the dispatcher might pick, so the tests cover the fallbacks even on a
    // machine where Update would always take the AVX2 path.
    public static TheoryData<string> Paths()
    {
        var paths = new TheoryData<string> { "dispatch", "scalar" };
        if (Avx2.IsSupported)
        {
            paths.Add("avx2");
        }
        if (Ssse3.IsSupported)
        {
            paths.Add("ssse3");
        }
        return paths;
    }

    private static Func<uint, byte[], uint> PathFor(string path) => path switch
    {
        "dispatch" => (adler, data) => Adler32.Update(adler, data),
        "scalar" => (adler, data) => Adler32.UpdateScalar(adler, data),
        "avx2" => (adler, data) => Adler32.UpdateAvx2(adler, data),
        "ssse3" => (adler, data) => Adler32.UpdateSsse3(adler, data),
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    [Theory]
    [InlineData("", "00000001")]
    [InlineData("a", "00620062")]
    [InlineData("abc", "024d0127")]
    [InlineData("Wikipedia", "11e60398")]
    public void KnownVectors(string input, string expected)
    {
        var bytes = Encoding.ASCII.GetBytes(input);
        Assert.Equal(expected, Adler32.ToHex(Adler32.Compute(bytes)));
        Assert.Equal(expected, Adler32.ToHex(Reference(bytes)));
    }

    [Fact]
    public void InitialIsOne() => Assert.Equal(1u, Adler32.Initial);

    [Fact]
    public void ToHexPadsToEightLowerCaseDigits()
    {
        Assert.Equal("00000001", Adler32.ToHex(1));
        Assert.Equal("abcdef01", Adler32.ToHex(0xABCDEF01));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void PatternOfHundredThousandBytesMatchesReference(string path)
    {
        var data = new byte[100_000];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i * 31 + (i >> 8));
        }
        Assert.Equal(Reference(data), PathFor(path)(Adler32.Initial, data));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void RandomBuffersOfEveryLengthUpTo5000MatchReference(string path)
    {
        var update = PathFor(path);
        var source = RandomBytes(5000, seed: 42);
        for (var length = 0; length <= 5000; length++)
        {
            var data = source[..length];
            Assert.Equal(Reference(data), update(Adler32.Initial, data));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void LargeRandomBuffersWithOddTailsMatchReference(string path)
    {
        var update = PathFor(path);
        foreach (var length in new[] { 32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 65_599, 1 << 20, (1 << 20) + 37, 3_000_017 })
        {
            var data = RandomBytes(length, seed: length);
            Assert.Equal(Reference(data), update(Adler32.Initial, data));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void UnalignedSlicesMatchReference(string path)
    {
        var update = PathFor(path);
        var source = RandomBytes(70_000, seed: 7);
        for (var skip = 0; skip < 64; skip += 3)
        {
            var data = source.AsSpan(skip, source.Length - skip - (skip % 5)).ToArray();
            Assert.Equal(Reference(data), update(Adler32.Initial, data));
        }
    }

    // All-0xFF input maximises every partial sum, so it is where a chunk that is too long for its
    // deferred modulo would overflow first.
    [Theory]
    [MemberData(nameof(Paths))]
    public void AllOnesBuffersOfSeveralMegabytesDoNotOverflow(string path)
    {
        var update = PathFor(path);
        foreach (var length in new[] { 5552, 5553, 32 * 1024 + 63, 4 * 1024 * 1024, 7 * 1024 * 1024 + 13 })
        {
            var data = new byte[length];
            Array.Fill(data, (byte)0xFF);
            Assert.Equal(Reference(data), update(Adler32.Initial, data));
        }
    }

    // A starting value with both halves at their largest reduced value, the other overflow edge.
    [Theory]
    [MemberData(nameof(Paths))]
    public void LargestReducedStartingValueDoesNotOverflow(string path)
    {
        const uint start = (65520u << 16) | 65520u;
        var data = new byte[2 * 1024 * 1024 + 5];
        Array.Fill(data, (byte)0xFF);
        Assert.Equal(Reference(start, data), PathFor(path)(start, data));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void IncrementalUpdatesAtRandomSplitsEqualOneShot(string path)
    {
        var update = PathFor(path);
        var random = new Random(1234);
        var data = RandomBytes(300_000, seed: 99);
        var expected = Reference(data);

        for (var round = 0; round < 50; round++)
        {
            var adler = Adler32.Initial;
            var position = 0;
            while (position < data.Length)
            {
                // Mix tiny pieces with large ones so splits land both inside and across blocks.
                var piece = random.Next(4) == 0 ? random.Next(0, 70) : random.Next(0, 40_000);
                piece = Math.Min(piece, data.Length - position);
                adler = update(adler, data.AsSpan(position, piece).ToArray());
                position += piece;
            }
            Assert.Equal(expected, adler);
        }
    }

    [Fact]
    public void EmptyUpdateLeavesValueUnchanged()
    {
        Assert.Equal(0x11e60398u, Adler32.Update(0x11e60398, ReadOnlySpan<byte>.Empty));
    }
}
