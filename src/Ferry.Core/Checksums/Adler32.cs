namespace Ferry.Core.Checksums;

/// <summary>Adler-32 as used by Rucio: 8 lower-case hex digits, the empty input is 00000001.</summary>
public static class Adler32
{
    public const uint Initial = 1;
    private const uint Mod = 65521;

    public static uint Compute(ReadOnlySpan<byte> data) => Update(Initial, data);

    public static uint Update(uint adler, ReadOnlySpan<byte> data)
    {
        uint a = adler & 0xFFFF, b = adler >> 16;
        // 5552 is the largest n with 255n(n+1)/2 + (n+1)(Mod-1) < 2^32, so the sums cannot overflow.
        while (data.Length > 0)
        {
            var n = Math.Min(data.Length, 5552);
            foreach (var x in data[..n]) { a += x; b += a; }
            a %= Mod; b %= Mod;
            data = data[n..];
        }
        return (b << 16) | a;
    }

    public static string ToHex(uint value) => value.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
}
