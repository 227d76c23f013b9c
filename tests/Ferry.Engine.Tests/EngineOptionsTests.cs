using Ferry.Core.Configuration;

namespace Ferry.Engine.Tests;

public sealed class EngineOptionsTests
{
    [Fact]
    public void An_empty_environment_gives_the_defaults()
    {
        Assert.Equal(new EngineOptions(), EngineOptions.FromEnvironment(Env.Of()));
    }

    [Fact]
    public void Each_variable_overrides_its_own_setting()
    {
        var o = EngineOptions.FromEnvironment(Env.Of(
            ("FERRY_STAGING_LIFETIME_SECONDS", "60"), ("FERRY_STUCK_RETRY_SECONDS", "30"), ("FERRY_TRANSFER_ATTEMPTS", "7"),
            ("FERRY_CONVEYOR_PARALLELISM", "16"), ("FERRY_PER_DESTINATION_LIMIT", "2"), ("FERRY_PER_LINK_LIMIT", "3"),
            ("FERRY_TRANSFER_TIMEOUT_SECONDS", "5"), ("FERRY_TRANSFER_LEASE_SECONDS", "9")));
        Assert.Equal(TimeSpan.FromSeconds(60), o.StagingLifetime);
        Assert.Equal(TimeSpan.FromSeconds(30), o.StuckRetryAfter);
        Assert.Equal(7, o.TransferAttempts);
        Assert.Equal(16, o.ConveyorParallelism);
        Assert.Equal(2, o.PerDestinationLimit);
        Assert.Equal(3, o.PerLinkLimit);
        Assert.Equal(TimeSpan.FromSeconds(5), o.TransferTimeoutBase);
        Assert.Equal(TimeSpan.FromSeconds(9), o.TransferLease);
        // Settings without a variable keep their defaults.
        Assert.Equal(new EngineOptions().JudgeIdle, o.JudgeIdle);
    }

    [Theory]
    [InlineData("FERRY_TRANSFER_ATTEMPTS", "0")]
    [InlineData("FERRY_CONVEYOR_PARALLELISM", "four")]
    [InlineData("FERRY_TRANSFER_LEASE_SECONDS", "-5")]
    [InlineData("FERRY_PER_LINK_LIMIT", "1.5")]
    public void A_bad_value_stops_the_start_naming_the_variable(string name, string value)
    {
        var e = Assert.Throws<FerryConfigurationException>(() => EngineOptions.FromEnvironment(Env.Of((name, value))));
        Assert.Contains(name, e.Message);
        Assert.Contains($"'{value}'", e.Message);
    }

    [Fact]
    public void A_transfer_gets_its_base_time_plus_a_second_per_minimum_rate_of_bytes()
    {
        var o = new EngineOptions { TransferTimeoutBase = TimeSpan.FromSeconds(120), MinimumRate = 1 << 20 };
        Assert.Equal(TimeSpan.FromSeconds(120), o.TransferTimeout(null));
        Assert.Equal(TimeSpan.FromSeconds(120), o.TransferTimeout(0));
        Assert.Equal(TimeSpan.FromSeconds(130), o.TransferTimeout(10L << 20));
        Assert.Equal(TimeSpan.FromSeconds(120.5), o.TransferTimeout(1 << 19));
    }
}
