using System.Globalization;

namespace Ferry.Cli.Output;

/// <summary>Byte sizes as people write them: 500GB (decimal), 2TiB (binary), plain numbers, 'unlimited' (-1).</summary>
public static class Sizes
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("PiB", 1L << 50), ("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10),
        ("PB", 1_000_000_000_000_000), ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1000), ("kB", 1000), ("B", 1),
    ];

    public static long Parse(string text)
    {
        var t = text.Trim();
        if (t.Equals("unlimited", StringComparison.OrdinalIgnoreCase) || t == "-1") return -1;
        foreach (var (suffix, factor) in Units)
            if (t.EndsWith(suffix, StringComparison.Ordinal) && decimal.TryParse(t[..^suffix.Length], NumberStyles.Number, CultureInfo.InvariantCulture, out var n) && n >= 0)
                return (long)(n * factor);
        if (long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var b)) return b;
        throw new UsageException($"cannot read size '{text}': write e.g. 500GB, 2TiB, 1000000 or unlimited");
    }

    public static string Format(long bytes) => bytes is -1 or long.MaxValue ? "unlimited" : Render.Bytes(bytes);
}
