using System.Globalization;
using Ferry.Core.Errors;

namespace Ferry.Core.Time;

public static class RucioTime
{
    private const string Rfc1123 = "ddd, dd MMM yyyy HH:mm:ss 'UTC'";
    private const string Iso = "yyyy-MM-dd'T'HH:mm:ss";

    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString(Rfc1123, CultureInfo.InvariantCulture);
    public static string? Format(DateTimeOffset? t) => t is null ? null : Format(t.Value);
    public static string FormatIso(DateTimeOffset t) => t.UtcDateTime.ToString(Iso, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string s)
    {
        string[] formats = [Rfc1123, Iso, "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"];
        if (DateTime.TryParseExact(s, formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
            return new DateTimeOffset(dt, TimeSpan.Zero);
        throw FerryException.Invalid($"Cannot read '{s}' as a date: use e.g. 'Sun, 22 Nov 2026 11:46:49 UTC' or 2026-11-22T11:46:49");
    }
}

/// <summary>Durations as the CLI writes them: 90s, 30m, 12h, 7d, 2w; a bare number means seconds.</summary>
public static class Durations
{
    private const long MaxSeconds = 100L * 365 * 86400;

    public static long ParseSeconds(string text)
    {
        var s = text.Trim();
        if (s.Length == 0) throw FerryException.Invalid("Empty duration");
        var unit = char.IsLetter(s[^1]) ? char.ToLowerInvariant(s[^1]) : 's';
        var number = char.IsLetter(s[^1]) ? s[..^1] : s;
        long factor = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, 'w' => 7 * 86400, _ => 0 };
        if (factor == 0 || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw FerryException.Invalid($"Cannot read duration '{text}': write e.g. 90s, 30m, 12h, 7d (a bare number means seconds)");
        if (n <= 0 || n > MaxSeconds / factor)
            throw FerryException.Invalid($"Duration '{text}' is out of range: it must be positive and at most 100 years");
        return n * factor;
    }

    public static string Format(long seconds) =>
        seconds % 86400 == 0 ? $"{seconds / 86400}d" : seconds % 3600 == 0 ? $"{seconds / 3600}h" : seconds % 60 == 0 ? $"{seconds / 60}m" : $"{seconds}s";
}
