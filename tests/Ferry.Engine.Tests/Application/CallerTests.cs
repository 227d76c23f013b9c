using Ferry.Core.Errors;
using Ferry.Engine.Application;

namespace Ferry.Engine.Tests.Application;

public sealed class CallerTests
{
    [Fact]
    public void Only_an_admin_passes_an_admin_check_and_the_refusal_says_what_was_asked()
    {
        new Caller("root", IsAdmin: true).RequireAdmin("add accounts");
        var e = Assert.ThrowsAny<FerryException>(() => new Caller("alice", IsAdmin: false).RequireAdmin("add accounts"));
        Assert.Equal(401, e.Status);
        Assert.Equal("AccessDenied", e.ExceptionClass);
        Assert.Contains("alice can not add accounts", e.Message);
    }

    [Fact]
    public void Self_or_admin_lets_the_account_itself_and_admins_through()
    {
        new Caller("alice", IsAdmin: false).RequireSelfOrAdmin("alice", "read the usage");
        new Caller("root", IsAdmin: true).RequireSelfOrAdmin("alice", "read the usage");
        var e = Assert.ThrowsAny<FerryException>(() => new Caller("bob", IsAdmin: false).RequireSelfOrAdmin("alice", "read the usage"));
        Assert.Contains("of account alice", e.Message);
    }
}
