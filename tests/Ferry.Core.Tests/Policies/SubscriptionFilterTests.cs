using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Policies;

namespace Ferry.Core.Tests.Policies;

public sealed class SubscriptionFilterTests
{
    private static readonly Dictionary<string, string> NoMeta = [];

    [Fact]
    public void The_regex_must_match_the_whole_name()
    {
        var f = new SubscriptionFilter { NameRegex = "raw_[0-9]+" }.Validated();
        Assert.True(f.Matches("user.a", "raw_0042", DidType.Dataset, NoMeta));
        Assert.False(f.Matches("user.a", "raw_0042.tmp", DidType.Dataset, NoMeta));
        Assert.False(f.Matches("user.a", "old_raw_1", DidType.Dataset, NoMeta));
    }

    [Fact]
    public void Scope_type_and_metadata_all_have_to_hold()
    {
        var f = PolicyJson.Read<SubscriptionFilter>("""{"scopes":["xenon.raw"],"did_types":["DATASET"],"meta":{"run_type":["physics","calib"]}}""", "filter").Validated();
        var physics = new Dictionary<string, string> { ["run_type"] = "physics" };
        Assert.True(f.Matches("xenon.raw", "r1", DidType.Dataset, physics));
        Assert.False(f.Matches("xenon.raw", "r1", DidType.File, physics));
        Assert.False(f.Matches("user.x", "r1", DidType.Dataset, physics));
        Assert.False(f.Matches("xenon.raw", "r1", DidType.Dataset, new Dictionary<string, string> { ["run_type"] = "test" }));
        Assert.False(f.Matches("xenon.raw", "r1", DidType.Dataset, NoMeta));
    }

    [Theory]
    [InlineData("""{"name_regex":"raw_[0-9"}""", "not a valid regular expression")]
    [InlineData("""{"scope":["x"]}""", "malformed")]
    [InlineData("""{"did_types":["FOLDER"]}""", "malformed")]
    [InlineData("""{}""", "would match every DID")]
    public void Malformed_filters_are_refused_with_what_is_wrong(string json, string message)
    {
        var e = Assert.Throws<FerryException>(() => PolicyJson.Read<SubscriptionFilter>(json, "filter").Validated());
        Assert.Equal(400, e.Status);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Templates_round_trip_through_the_stored_json()
    {
        var t = new RuleTemplate { RseExpression = "tier=1", Copies = 2, Lifetime = 3600, Grouping = RuleGrouping.None, Activity = "T0 Export" };
        var back = PolicyJson.Read<List<RuleTemplate>>(PolicyJson.Write(new[] { t }), "rules");
        Assert.Equal(t, back.Single());
        Assert.Contains("\"grouping\":\"NONE\"", PolicyJson.Write(t));
    }
}
