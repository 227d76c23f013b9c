using Ferry.Core.Errors;
using Ferry.Core.Rules;
using Ferry.Engine.Application;
using Ferry.Engine.Application.Rules;

namespace Ferry.Engine.Tests.Application.Rules;

/// <summary>The checks of a new rule and of a `ferry data` rule scope, made before the store is called.</summary>
public sealed class RuleRequestsTests
{
    private static readonly Caller Alice = new("alice", IsAdmin: false);
    private static readonly Caller Root = new("root", IsAdmin: true);

    private static RuleSpec Spec(string account = "alice") => new() { Dids = [("user.alice", "ds1")], Account = account, RseExpression = "SITE_A" };

    [Fact]
    public void A_caller_may_add_rules_for_itself()
    {
        var spec = Spec();
        Assert.Same(spec, RuleRequests.Checked(Alice, spec));
    }

    [Fact]
    public void A_rule_for_another_account_needs_an_admin()
    {
        var e = Assert.ThrowsAny<FerryException>(() => RuleRequests.Checked(Alice, Spec("bob")));
        Assert.Equal("AccessDenied", e.ExceptionClass);
        Assert.Contains("bob", e.Message);
        RuleRequests.Checked(Root, Spec("bob"));
    }

    [Fact]
    public void Ignoring_the_account_limit_needs_an_admin()
    {
        var spec = Spec() with { IgnoreAccountLimit = true };
        Assert.Equal("AccessDenied", Assert.ThrowsAny<FerryException>(() => RuleRequests.Checked(Alice, spec)).ExceptionClass);
        RuleRequests.Checked(Root, spec with { Account = "root" });
    }

    [Fact]
    public void The_permission_check_comes_before_the_spec_and_the_spec_is_still_checked()
    {
        Assert.Equal("AccessDenied", Assert.ThrowsAny<FerryException>(() => RuleRequests.Checked(Alice, Spec("bob") with { Copies = 0 })).ExceptionClass);
        Assert.Equal("InvalidReplicationRule", Assert.ThrowsAny<FerryException>(() => RuleRequests.Checked(Root, Spec() with { Copies = 0 })).ExceptionClass);
    }

    [Fact]
    public void A_scope_defaults_to_the_callers_own_rules()
    {
        var scope = RuleRequests.Scope(Alice, null, ["SITE_A|SITE_B"], 3600);
        Assert.Equal("alice", scope.Account);
        Assert.Equal(["SITE_A|SITE_B"], scope.On);
        Assert.Equal(3600, scope.ExpiresWithinSeconds);
    }

    [Fact]
    public void Another_accounts_rules_only_for_an_admin()
    {
        Assert.Equal("AccessDenied", Assert.ThrowsAny<FerryException>(() => RuleRequests.Scope(Alice, "bob", [], null)).ExceptionClass);
        Assert.Equal("bob", RuleRequests.Scope(Root, "bob", [], null).Account);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void Expires_within_must_be_positive(long seconds)
    {
        Assert.Equal(400, Assert.ThrowsAny<FerryException>(() => RuleRequests.Scope(Alice, null, [], seconds)).Status);
    }

    [Fact]
    public void A_malformed_expression_is_refused_before_the_store_is_asked()
    {
        Assert.ThrowsAny<FerryException>(() => RuleRequests.Scope(Alice, null, ["SITE_A|"], null));
    }
}
