using Ferry.Cli.Commands;
using Ferry.Core.Identifiers;

namespace Ferry.Cli.Tests.Commands;

/// <summary>Arguments checked before anything is sent: a malformed one is a usage error (exit code 2), not a failure.</summary>
public sealed class CommonTests
{
    [Fact]
    public void Dids_parse_and_bad_ones_are_usage_errors()
    {
        Assert.Equal(new DidRef("user.a", "ds1"), Common.Did("user.a:ds1"));
        Assert.Throws<UsageException>(() => Common.Did("user.a:../x"));
        Assert.Throws<UsageException>(() => Common.Did("no-scope"));
    }

    [Fact]
    public void Durations_are_seconds_and_absent_stays_absent()
    {
        Assert.Null(Common.Duration(null));
        Assert.Equal(30L * 86400, Common.Duration("30d"));
        Assert.Equal(90L, Common.Duration("90s"));
        Assert.Throws<UsageException>(() => Common.Duration("soon"));
    }

    [Fact]
    public void Expressions_are_checked_for_syntax_only()
    {
        Assert.Equal("tier=1&type=DISK", Common.Expression("tier=1&type=DISK"));
        Assert.Equal("NO_SUCH_RSE", Common.Expression("NO_SUCH_RSE"));
        Assert.Throws<UsageException>(() => Common.Expression("tier=1&"));
    }
}
