using Ferry.Engine.Daemons;

namespace Ferry.Engine.Tests.Daemons;

/// <summary>Only leases of dead processes on this machine are freed at once; anything else waits for its expiry.</summary>
public sealed class LeaseOwnerTests
{
    [Fact]
    public void An_owner_is_machine_pid_and_tag()
    {
        Assert.Equal($"{Environment.MachineName}:{Environment.ProcessId}:conveyor-1", LeaseOwner.For("conveyor-1"));
    }

    [Fact]
    public void This_process_is_not_dead()
    {
        Assert.False(LeaseOwner.IsDeadOnThisMachine(LeaseOwner.For("x")));
    }

    [Theory]
    [InlineData("other-machine:1:x")]
    [InlineData("garbage")]
    [InlineData("a:b:c:d")]
    public void Leases_of_other_machines_or_of_unreadable_owners_are_never_freed_early(string owner)
    {
        Assert.False(LeaseOwner.IsDeadOnThisMachine(owner));
    }

    [Fact]
    public void A_pid_that_is_not_a_number_is_not_freed()
    {
        Assert.False(LeaseOwner.IsDeadOnThisMachine($"{Environment.MachineName}:pid:x"));
    }

    [Fact]
    public void A_pid_gone_from_this_machine_is_dead()
    {
        // Above Linux's pid_max (2^22), so no process can have it.
        Assert.True(LeaseOwner.IsDeadOnThisMachine($"{Environment.MachineName}:2147483646:x"));
    }
}
