using Ferry.Core.Errors;
using Ferry.Core.Policies;
using Ferry.Core.Rules;

namespace Ferry.Core.Tests.Rules;

/// <summary>The one check of a rule's values (RuleSpec.Validated) and the one copies range every path shares.</summary>
public sealed class RuleSpecTests
{
    private static readonly RuleSpec Good = new() { Dids = [("user.root", "ds")], Account = "root", RseExpression = "LOCAL" };

    [Fact]
    public void A_plain_rule_is_valid_and_returned_unchanged() => Assert.Same(Good, Good.Validated());

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    public void Copies_at_the_bounds_are_accepted(int copies) => Assert.Equal(copies, (Good with { Copies = copies }).Validated().Copies);

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(1001)]
    [InlineData(int.MaxValue)]
    public void Copies_out_of_range_are_Rucios_InvalidReplicationRule(int copies)
    {
        var e = Assert.Throws<FerryException>(() => (Good with { Copies = copies }).Validated());
        Assert.Equal(("InvalidReplicationRule", 409), (e.ExceptionClass, e.Status));
        Assert.Equal($"copies must be between 1 and 1000, got {copies}", e.Message);
    }

    [Fact]
    public void The_copies_check_keeps_each_callers_error_and_field_name()
    {
        var e = Assert.Throws<FerryException>(() => RuleSpec.CheckCopies(5000, "min_copies", FerryException.Invalid));
        Assert.Equal(("InvalidObject", 400, "min_copies must be between 1 and 1000, got 5000"), (e.ExceptionClass, e.Status, e.Message));
        // A long beyond int is refused, never wrapped into range.
        Assert.Throws<FerryException>(() => RuleSpec.CheckCopies(4_294_967_297L));
        Assert.Equal(7, RuleSpec.CheckCopies(7));
    }

    [Fact]
    public void A_subscription_template_uses_the_same_copies_range_with_its_400()
    {
        var e = Assert.Throws<FerryException>(() => new RuleTemplate { RseExpression = "LOCAL", Copies = 1001 }.Validated());
        Assert.Equal(("InvalidObject", 400), (e.ExceptionClass, e.Status));
        Assert.Contains("copies must be between 1 and 1000", e.Message);
        Assert.Equal(1000, new RuleTemplate { RseExpression = "LOCAL", Copies = 1000 }.Validated().Copies);
    }

    [Fact]
    public void A_rucio_subscription_rule_with_copies_beyond_int_is_refused_not_wrapped()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("""[{"rse_expression":"LOCAL","copies":4294967297}]""");
        Assert.Contains("copies must be between 1 and 1000", Assert.Throws<FerryException>(() => RucioSubscriptions.Rules(doc.RootElement)).Message);
    }

    public static TheoryData<RuleSpec, string, int, string> Refused => new()
    {
        { Good with { Dids = [] }, "InvalidObject", 400, "at least one DID" },
        { Good with { LifetimeSeconds = 0 }, "InvalidReplicationRule", 409, "lifetime must be between" },
        { Good with { LifetimeSeconds = RuleSpec.MaxLifetimeSeconds + 1 }, "InvalidReplicationRule", 409, "100 years" },
        { Good with { Activity = "Nonsense" }, "InvalidObject", 400, "Unknown activity 'Nonsense'" },
        { Good with { Comment = new string('c', 251) }, "InvalidObject", 400, "250 characters" },
        { Good with { Priority = 0 }, "InvalidObject", 400, "priority must be between 1 and 5" },
        { Good with { Priority = 6 }, "InvalidObject", 400, "priority must be between 1 and 5" },
        { Good with { Notification = "MAYBE" }, "InvalidObject", 400, "Unknown notify value 'MAYBE'" },
        { Good with { Meta = new string('m', RuleSpec.MaxMetaLength + 1) }, "InvalidObject", 400, "4000 characters" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Each_wrong_value_is_refused_with_Rucios_error(RuleSpec spec, string exceptionClass, int status, string message)
    {
        var e = Assert.Throws<FerryException>(() => spec.Validated());
        Assert.Equal((exceptionClass, status), (e.ExceptionClass, e.Status));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Every_accepted_value_passes()
    {
        var spec = Good with
        {
            Copies = 2, LifetimeSeconds = 3600, Activity = "Staging", Comment = new string('c', 250), Priority = 5, Notification = "PROGRESS",
            Meta = new string('m', RuleSpec.MaxMetaLength),
        };
        Assert.Same(spec, spec.Validated());
        foreach (var activity in RuleSpec.Activities) (Good with { Activity = activity }).Validated();
    }
}
