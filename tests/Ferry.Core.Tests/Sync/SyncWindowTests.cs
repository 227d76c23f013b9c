using Ferry.Core.Sync;

namespace Ferry.Core.Tests.Sync;

public sealed class SyncWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Always_is_open() => Assert.Equal(WindowState.Open, SyncWindow.Always.StateAt(T0, T0));

    [Theory]
    [InlineData(-1, WindowState.NotYet)]
    [InlineData(0, WindowState.Open)]
    [InlineData(9, WindowState.Open)]
    [InlineData(10, WindowState.Over)]
    public void Since_and_until_bound_the_window(int hoursFromStart, WindowState expected)
    {
        var window = new SyncWindow(T0, T0.AddHours(10), null);
        Assert.Equal(expected, window.StateAt(T0.AddHours(hoursFromStart), T0.AddDays(-30)));
    }

    [Fact]
    public void For_counts_from_since_when_given()
    {
        var window = new SyncWindow(T0, null, TimeSpan.FromHours(2));
        var firstSeenLater = T0.AddHours(1);
        Assert.Equal(WindowState.Open, window.StateAt(T0.AddHours(1.5), firstSeenLater));
        Assert.Equal(WindowState.Over, window.StateAt(T0.AddHours(2), firstSeenLater));
    }

    [Fact]
    public void For_without_since_counts_from_when_the_entry_was_first_seen()
    {
        var window = new SyncWindow(null, null, TimeSpan.FromDays(7));
        var seen = T0.AddDays(3);
        Assert.Equal(WindowState.Open, window.StateAt(seen.AddDays(6.9), seen));
        Assert.Equal(WindowState.Over, window.StateAt(seen.AddDays(7), seen));
    }

    [Fact]
    public void The_earlier_of_until_and_for_ends_the_window()
    {
        var window = new SyncWindow(T0, T0.AddHours(5), TimeSpan.FromHours(3));
        Assert.Equal(WindowState.Over, window.StateAt(T0.AddHours(3), T0));
        Assert.Equal("since 2026-12-01T00:00:00Z until 2026-12-01T05:00:00Z for 10800s", window.Describe());
    }
}
