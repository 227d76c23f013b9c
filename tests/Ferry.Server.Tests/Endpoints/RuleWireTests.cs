using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Server.Endpoints;

namespace Ferry.Server.Tests.Endpoints;

/// <summary>A rule body read into a RuleSpec: Rucio's names and spellings, nothing decided about what is allowed.</summary>
public sealed class RuleWireTests
{
    private static readonly IReadOnlyList<(string, string)> Dids = [("user.a", "ds")];

    private static JsonObject Body(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void A_minimal_body_gets_rucios_defaults_and_the_callers_account()
    {
        var spec = RuleWire.Spec(Body("""{"copies": 1, "rse_expression": "SITE_A"}"""), "alice", Dids);
        Assert.Equal("alice", spec.Account);
        Assert.Equal(1, spec.Copies);
        Assert.Equal("SITE_A", spec.RseExpression);
        Assert.Equal(RuleGrouping.Dataset, spec.Grouping);
        Assert.Equal("NO", spec.Notification);
        Assert.Equal(3, spec.Priority);
        Assert.False(spec.Locked);
        Assert.Null(spec.Meta);
    }

    [Fact]
    public void Every_field_is_read_under_its_rucio_name()
    {
        var spec = RuleWire.Spec(Body("""
            {"copies": 2, "rse_expression": "tier=1", "account": "bob", "grouping": "ALL", "weight": "w", "lifetime": 86400,
             "locked": true, "source_replica_expression": "SITE_B", "activity": "Debug", "notify": "p", "purge_replicas": true,
             "ignore_availability": true, "priority": 4, "comment": "c", "ignore_account_limit": true, "split_container": true,
             "meta": {"k": 1}, "delay_injection": null, "ask_approval": false}
            """), "alice", Dids);
        Assert.Equal(("bob", 2, RuleGrouping.All, "w", 86400L), (spec.Account, spec.Copies, spec.Grouping, spec.Weight, spec.LifetimeSeconds));
        Assert.True(spec.Locked && spec.PurgeReplicas && spec.IgnoreAvailability && spec.IgnoreAccountLimit && spec.SplitContainer);
        Assert.Equal(("SITE_B", "Debug", "PROGRESS", 4, "c"), (spec.SourceReplicaExpression, spec.Activity, spec.Notification, spec.Priority, spec.Comment));
        Assert.Equal("""{"k":1}""", spec.Meta);
    }

    [Fact]
    public void Copies_are_required_unless_the_caller_has_a_default()
    {
        Assert.Equal("KeyError", Assert.ThrowsAny<FerryException>(() => RuleWire.Spec(Body("""{"rse_expression": "X"}"""), "alice", Dids)).ExceptionClass);
        Assert.Equal(2, RuleWire.Spec(Body("""{"rse_expression": "X"}"""), "alice", Dids, defaultCopies: 2).Copies);
    }

    [Fact]
    public void Out_of_range_copies_are_clamped_for_the_spec_to_refuse_not_wrapped()
    {
        Assert.Equal(int.MaxValue, RuleWire.Spec(Body("""{"copies": 4294967297, "rse_expression": "X"}"""), "alice", Dids).Copies);
    }

    [Theory]
    [InlineData("""{"copies": 1, "rse_expression": "X", "notify": "maybe"}""")]
    [InlineData("""{"copies": 1, "rse_expression": "X", "delay_injection": 60}""")]
    [InlineData("""{"copies": 1, "rse_expression": "X", "ask_approval": true}""")]
    public void What_Ferry_cannot_honour_is_refused(string json)
    {
        Assert.Equal(400, Assert.ThrowsAny<FerryException>(() => RuleWire.Spec(Body(json), "alice", Dids)).Status);
    }

    [Fact]
    public void The_dids_list_is_required_and_each_name_validated()
    {
        Assert.Equal("KeyError", Assert.ThrowsAny<FerryException>(() => RuleWire.Dids(Body("{}"))).ExceptionClass);
        Assert.Equal([("user.a", "f1")], RuleWire.Dids(Body("""{"dids": [{"scope": "user.a", "name": "f1"}]}""")));
        Assert.ThrowsAny<FerryException>(() => RuleWire.Dids(Body("""{"dids": [{"scope": "user.a", "name": "../f1"}]}""")));
    }
}
