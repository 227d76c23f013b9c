using Ferry.Agent.Downloads;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.Agent.Tests.Downloads;

/// <summary>The pacing arithmetic on a fake clock: nothing real waits.</summary>
public sealed class BandwidthLimiterTests
{
    [Fact]
    public async Task A_block_waits_for_its_transfer_time_at_the_rate()
    {
        var time = new FakeTimeProvider();
        var limiter = new BandwidthLimiter(1000, time);
        var pace = limiter.PaceAsync(2000, CancellationToken.None).AsTask();
        Assert.False(pace.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(pace.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        // The continuation may be posted to the test's context: wait for it (the real-time bound only guards a failure).
        await pace.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Up_to_one_second_of_unused_allowance_is_spent_at_once()
    {
        var time = new FakeTimeProvider();
        var limiter = new BandwidthLimiter(1000, time);
        time.Advance(TimeSpan.FromSeconds(10));
        // A second's worth after an idle spell goes at once; the next block waits its own time.
        Assert.True(limiter.PaceAsync(1000, CancellationToken.None).IsCompletedSuccessfully);
        var next = limiter.PaceAsync(500, CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await next.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
