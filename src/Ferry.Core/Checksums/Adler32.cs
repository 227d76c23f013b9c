using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ferry.Core.Checksums;

/// <summary>
/// Adler-32 as Rucio uses it: 8 lower-case hex digits, the empty input is 00000001.
/// With AVX2 it processes 32 bytes per step: a sum of absolute differences against zero gives the byte sum, and
/// multiply-add against the weights 32..1 gives the weighted sum; the modulo is deferred for as many blocks as
/// cannot overflow 32 bits.
/// </summary>
public static class Adler32
{
    public const uint Initial = 1;
    private const uint Mod = 65521;
    // Largest n with 255n(n+1)/2 + (n+1)(Mod-1) < 2^32: the sums of n bytes cannot overflow before the modulo.
    private const int NMax = 5552;
    private const int Block = 32;

    public static uint Compute(ReadOnlySpan<byte> data) => Update(Initial, data);

    public static uint Update(uint adler, ReadOnlySpan<byte> data)
    {
        if (Avx2.IsSupported && data.Length >= Block) return UpdateAvx2(adler, data);
        return UpdateScalar(adler, data);
    }

    public static string ToHex(uint value) => value.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    internal static uint UpdateScalar(uint adler, ReadOnlySpan<byte> data)
    {
        uint a = adler & 0xFFFF, b = adler >> 16;
        while (data.Length > 0)
        {
            var n = Math.Min(data.Length, NMax);
            foreach (var x in data[..n]) { a += x; b += a; }
            a %= Mod;
            b %= Mod;
            data = data[n..];
        }
        return (b << 16) | a;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint UpdateAvx2(uint adler, ReadOnlySpan<byte> data)
    {
        uint s1 = adler & 0xFFFF, s2 = adler >> 16;
        ref var p = ref MemoryMarshal.GetReference(data);
        nuint offset = 0;
        var blocks = data.Length / Block;
        var weights = Vector256.Create((sbyte)32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
            16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
        var ones = Vector256.Create((short)1);
        while (blocks > 0)
        {
            var n = Math.Min(blocks, NMax / Block);
            blocks -= n;
            // vPrefix collects s1 before each block; times 32 it is the block's contribution of earlier bytes to s2.
            var vPrefix = Vector256.CreateScalar(s1 * (uint)n);
            var vS2 = Vector256.CreateScalar(s2);
            var vS1 = Vector256<uint>.Zero;
            for (var i = 0; i < n; i++)
            {
                var bytes = Vector256.LoadUnsafe(ref p, offset);
                vPrefix += vS1;
                vS1 += Avx2.SumAbsoluteDifferences(bytes, Vector256<byte>.Zero).AsUInt32();
                vS2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(bytes, weights), ones).AsUInt32();
                offset += Block;
            }
            vS2 += Avx2.ShiftLeftLogical(vPrefix, 5);
            s1 = (s1 + Vector256.Sum(vS1)) % Mod;
            s2 = Vector256.Sum(vS2) % Mod;
        }
        return UpdateScalar((s2 << 16) | s1, data[(int)offset..]);
    }
}
