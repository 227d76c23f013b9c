using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ferry.Core.Checksums;

/// <summary>Adler-32 as used by Rucio: 8 lower-case hex digits, the empty input is 00000001.</summary>
/// <remarks>
/// Checksumming runs over every byte we move, so it has to keep up with memory bandwidth.
/// The vector paths split the running sums per block of bytes: for a block x[0..n) starting
/// with sums (a, b), a' = a + sum(x) and b' = b + n*a + sum((n - i) * x[i]). The byte sum comes
/// from psadbw against zero, the weighted sum from pmaddubsw (bytes times constant weights) and
/// pmaddwd (pairs of 16-bit products into 32-bit lanes). The n*a term is carried by an extra
/// accumulator that adds the running byte sum once per block, and everything is reduced modulo
/// 65521 only once per chunk, with chunks sized so that no 32-bit lane can overflow.
/// </remarks>
public static class Adler32
{
    public const uint Initial = 1;
    private const uint Mod = 65521;

    // Largest n with 255n(n+1)/2 + (n+1)(65535) < 2^32: the scalar sums cannot overflow in n bytes,
    // even when the caller hands in unreduced 16-bit halves.
    private const int ScalarChunk = 5552;

    // 512 blocks of 64 bytes: the per-chunk total of the prefix-sum accumulator is at most
    // 255 * 64 * 512^2 / 2 < 2^31, so its lanes and its horizontal sum fit in 32 bits.
    private const int Avx2Block = 64;
    private const int Avx2BlocksPerChunk = 512;

    // Streaming from DRAM, the hardware prefetcher alone left the AVX2 loop at about 80% of a
    // plain read of the same buffers; asking for the line 1 KiB ahead brought it level (see
    // docs/benchmarks.md). 512 and 2048 measured the same within noise.
    private const int PrefetchDistance = 1024;

    // Same bound for the 32-byte blocks of the SSSE3 path.
    private const int Ssse3Block = 32;
    private const int Ssse3BlocksPerChunk = 512;

    public static uint Compute(ReadOnlySpan<byte> data) => Update(Initial, data);

    public static uint Update(uint adler, ReadOnlySpan<byte> data)
    {
        if (Avx2.IsSupported && data.Length >= Avx2Block)
        {
            return UpdateAvx2(adler, data);
        }
        if (Ssse3.IsSupported && data.Length >= Ssse3Block)
        {
            return UpdateSsse3(adler, data);
        }
        return UpdateScalar(adler, data);
    }

    /// <summary>
    /// The adler32 of data1 followed by data2, from the adler32 of each and the length of data2, so that pieces of a
    /// file checksummed apart (parallel ranged reads) give the checksum of the whole. With a = 1 + sum(x) and
    /// b = sum of the running a after each byte: a = a1 + a2 - 1, and every byte of data2 adds a1 - 1 more to b than
    /// it did alone, so b = b1 + b2 + len2 * (a1 - 1), all modulo 65521.
    /// </summary>
    public static uint Combine(uint adler1, uint adler2, long length2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length2);
        ulong a1 = adler1 & 0xFFFF, b1 = adler1 >> 16, a2 = adler2 & 0xFFFF, b2 = adler2 >> 16;
        var n = (ulong)(length2 % Mod);
        var a = (a1 + a2 + Mod - 1) % Mod;
        var b = (b1 + b2 + n * ((a1 + Mod - 1) % Mod)) % Mod;
        return (uint)(b << 16 | a);
    }

    public static string ToHex(uint value) => value.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    internal static uint UpdateScalar(uint adler, ReadOnlySpan<byte> data)
    {
        uint a = adler & 0xFFFF, b = adler >> 16;
        while (data.Length > 0)
        {
            var n = Math.Min(data.Length, ScalarChunk);
            foreach (var x in data[..n])
            {
                a += x;
                b += a;
            }
            a %= Mod;
            b %= Mod;
            data = data[n..];
        }
        return (b << 16) | a;
    }

    internal static unsafe uint UpdateAvx2(uint adler, ReadOnlySpan<byte> data)
    {
        if (!Avx2.IsSupported)
        {
            throw new PlatformNotSupportedException("AVX2 is not available on this CPU.");
        }

        ulong a = adler & 0xFFFF, b = adler >> 16;
        ref var start = ref MemoryMarshal.GetReference(data);
        var blocks = (nuint)data.Length / Avx2Block;
        var length = (nuint)data.Length;
        nuint offset = 0;

        // Both 32-byte halves of a block use the weights 32..1; the first half's missing 32 * sum(lo)
        // is tracked in lowHalfSum. Sharing the weights lets the two pmaddubsw results be added as
        // 16-bit lanes (at most 2 * 255 * (32 + 31) < 2^15) before a single pmaddwd, which saves a
        // multiply per block on the ports that limit this loop.
        var weights = Vector256.Create(
            (sbyte)32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
            16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
        var ones = Vector256.Create((short)1);

        while (blocks > 0)
        {
            var n = Math.Min(blocks, (nuint)Avx2BlocksPerChunk);
            blocks -= n;

            // psadbw leaves each 8-byte sum in the low 32 bits of a 64-bit lane, so viewing the
            // results as 32-bit lanes just adds zeros in the odd lanes.
            var byteSum = Vector256<uint>.Zero;
            var prefixSum = Vector256<uint>.Zero;
            var lowHalfSum = Vector256<uint>.Zero;
            var weighted = Vector256<int>.Zero;

            for (nuint i = 0; i < n; i++)
            {
                var lo = Vector256.LoadUnsafe(ref start, offset);
                var hi = Vector256.LoadUnsafe(ref start, offset + 32);
                offset += Avx2Block;
                if (offset + PrefetchDistance < length)
                {
                    // A prefetch never faults, so a stale address after the GC moved the buffer
                    // would only waste the hint; it cannot corrupt anything.
                    Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref start, offset + PrefetchDistance)));
                }

                prefixSum += byteSum;
                var sadLo = Avx2.SumAbsoluteDifferences(lo, Vector256<byte>.Zero).AsUInt32();
                var sadHi = Avx2.SumAbsoluteDifferences(hi, Vector256<byte>.Zero).AsUInt32();
                lowHalfSum += sadLo;
                byteSum += sadLo + sadHi;

                var pairs = Avx2.MultiplyAddAdjacent(lo, weights) + Avx2.MultiplyAddAdjacent(hi, weights);
                weighted += Avx2.MultiplyAddAdjacent(pairs, ones);
            }

            var bytes = (ulong)n * Avx2Block;
            b += a * bytes
                + (ulong)Vector256.Sum(prefixSum) * Avx2Block
                + (ulong)Vector256.Sum(lowHalfSum) * 32
                + (uint)Vector256.Sum(weighted);
            a += Vector256.Sum(byteSum);
            a %= Mod;
            b %= Mod;
        }

        return UpdateScalar(((uint)b << 16) | (uint)a, data[(int)offset..]);
    }

    internal static uint UpdateSsse3(uint adler, ReadOnlySpan<byte> data)
    {
        if (!Ssse3.IsSupported)
        {
            throw new PlatformNotSupportedException("SSSE3 is not available on this CPU.");
        }

        ulong a = adler & 0xFFFF, b = adler >> 16;
        ref var start = ref MemoryMarshal.GetReference(data);
        var blocks = (nuint)data.Length / Ssse3Block;
        nuint offset = 0;

        var weightsHigh = Vector128.Create((sbyte)32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17);
        var weightsLow = Vector128.Create((sbyte)16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
        var ones = Vector128.Create((short)1);

        while (blocks > 0)
        {
            var n = Math.Min(blocks, (nuint)Ssse3BlocksPerChunk);
            blocks -= n;

            var byteSum = Vector128<uint>.Zero;
            var prefixSum = Vector128<uint>.Zero;
            var weighted0 = Vector128<int>.Zero;
            var weighted1 = Vector128<int>.Zero;

            for (nuint i = 0; i < n; i++)
            {
                var lo = Vector128.LoadUnsafe(ref start, offset);
                var hi = Vector128.LoadUnsafe(ref start, offset + 16);
                offset += Ssse3Block;

                prefixSum += byteSum;
                var sadLo = Sse2.SumAbsoluteDifferences(lo, Vector128<byte>.Zero).AsUInt32();
                var sadHi = Sse2.SumAbsoluteDifferences(hi, Vector128<byte>.Zero).AsUInt32();
                byteSum += sadLo + sadHi;

                weighted0 += Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(lo, weightsHigh), ones);
                weighted1 += Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(hi, weightsLow), ones);
            }

            var bytes = (ulong)n * Ssse3Block;
            b += a * bytes
                + (ulong)Vector128.Sum(prefixSum) * Ssse3Block
                + (uint)Vector128.Sum(weighted0 + weighted1);
            a += Vector128.Sum(byteSum);
            a %= Mod;
            b %= Mod;
        }

        return UpdateScalar(((uint)b << 16) | (uint)a, data[(int)offset..]);
    }
}
