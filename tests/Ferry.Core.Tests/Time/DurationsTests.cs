using Ferry.Core.Errors;
using Ferry.Core.Time;

namespace Ferry.Core.Tests.Time;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("12h", 43200)]
    [InlineData("7d", 604800)]
    [InlineData("2w", 1209600)]
    [InlineData("45", 45)]
    [InlineData("1D", 86400)]
    public void Parses(string text, long seconds) => Assert.Equal(seconds, Durations.ParseSeconds(text));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5m")]
    [InlineData("5y")]
    [InlineData("1.5h")]
    [InlineData("99999999999d")]
    public void Refuses(string text) => Assert.Throws<FerryException>(() => Durations.ParseSeconds(text));

    [Fact]
    public void Rucio_dates_round_trip()
    {
        var t = new DateTimeOffset(2026, 11, 22, 11, 46, 49, TimeSpan.Zero);
        Assert.Equal("Sun, 22 Nov 2026 11:46:49 UTC", RucioTime.Format(t));
        Assert.Equal(t, RucioTime.Parse("Sun, 22 Nov 2026 11:46:49 UTC"));
        Assert.Equal(t, RucioTime.Parse("2026-11-22T11:46:49"));
    }
}
