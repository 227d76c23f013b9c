using Ferry.Agent.Server;

namespace Ferry.Agent.Tests.Server;

/// <summary>The shape of the agent's retry backoff (moved here from the functional tests: it needs no process).</summary>
public sealed class BackoffTests
{
    [Fact]
    public void Backoff_doubles_from_one_second_and_never_passes_the_cap()
    {
        var cap = TimeSpan.FromMinutes(5);
        Assert.Equal(TimeSpan.FromSeconds(1), Backoff.Delay(1, cap, 0));
        Assert.Equal(TimeSpan.FromSeconds(8), Backoff.Delay(4, cap, 0));
        Assert.Equal(cap, Backoff.Delay(40, cap, 0));
        Assert.Equal(cap, Backoff.Delay(int.MaxValue, cap, 0));
        Assert.Equal(TimeSpan.FromSeconds(2), Backoff.Delay(10, TimeSpan.FromSeconds(2), 0));
    }

    [Fact]
    public void Jitter_only_shortens_by_at_most_a_fifth()
    {
        var cap = TimeSpan.FromMinutes(5);
        Assert.Equal(cap * 0.8, Backoff.Delay(40, cap, 1));
        Assert.Equal(cap * 0.8, Backoff.Delay(40, cap, 7));
        Assert.Equal(cap, Backoff.Delay(40, cap, -3));
        Assert.Equal(TimeSpan.FromSeconds(0.9), Backoff.Delay(0, cap, 0.5));
    }
}
