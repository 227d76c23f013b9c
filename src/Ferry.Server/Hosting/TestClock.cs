using System.Globalization;

namespace Ferry.Server.Hosting;

/// <summary>
/// Test hook, off unless <c>FERRY_TEST_CLOCK_FILE</c> is set: the clock that retention reads ages from (and that
/// stamps replica accesses reported by traces, so ages since access stay on the same clock) runs ahead of the real
/// one by the number of seconds in that file (read on every call; a missing or empty file is 0). A test advances
/// time to "31 days later" by writing the file, without waiting and without a 0-day policy. Only those two use it:
/// tombstones, tokens, leases and every daemon keep the real clock, so the reaper still acts at once on what
/// retention scheduled.
/// </summary>
public sealed class TestClock(TimeProvider inner, string path) : TimeProvider
{
    public const string Variable = "FERRY_TEST_CLOCK_FILE";

    /// <summary>The real clock, or the file-offset one when the variable is set.</summary>
    public static TimeProvider For(TimeProvider real, Func<string, string?>? env = null) =>
        (env ?? Environment.GetEnvironmentVariable)(Variable) is { Length: > 0 } file ? new TestClock(real, file) : real;

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    private TimeSpan Offset()
    {
        string text;
        try { text = File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return TimeSpan.Zero; }
        if (text.Length == 0) return TimeSpan.Zero;
        // A malformed file is the test's mistake; failing loudly beats deciding ages on a clock nobody set.
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(seconds)
            : throw new InvalidOperationException($"{Variable} file {path} holds '{text}', not a number of seconds");
    }
}
