using Ferry.Core.Errors;
using Ferry.Engine.Hosting;

namespace Ferry.Engine.Tests.Hosting;

public sealed class EngineServicesTests
{
    [Fact]
    public void Daemon_names_are_trimmed_lower_cased_and_kept_once_in_order()
    {
        Assert.Equal(["judge", "conveyor"], EngineServices.ParseDaemons(" Judge ,conveyor,JUDGE,"));
    }

    [Fact]
    public void Every_daemon_name_parses()
    {
        Assert.Equal(EngineServices.Daemons, EngineServices.ParseDaemons(string.Join(",", EngineServices.Daemons)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" , ,")]
    public void An_empty_list_is_a_usage_error_listing_the_daemons(string list)
    {
        var e = Assert.ThrowsAny<FerryException>(() => EngineServices.ParseDaemons(list));
        Assert.Equal(400, e.Status);
        Assert.Contains("judge, conveyor, reaper, subscriber, tasks", e.Message);
    }

    [Fact]
    public void An_unknown_daemon_is_named_in_the_error()
    {
        var e = Assert.ThrowsAny<FerryException>(() => EngineServices.ParseDaemons("judge,janitor"));
        Assert.Equal(400, e.Status);
        Assert.Contains("'janitor'", e.Message);
    }
}
