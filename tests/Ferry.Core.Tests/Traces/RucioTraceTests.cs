using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Core.Traces;

namespace Ferry.Core.Tests.Traces;

public sealed class RucioTraceTests
{
    private static ReplicaAccess? Parse(string json) => RucioTrace.Parse(JsonDocument.Parse(json).RootElement);

    [Fact]
    public void A_finished_download_on_a_named_RSE_is_an_access_to_that_replica()
    {
        var a = Parse("""{"eventType":"download","clientState":"DONE","scope":"user.jdoe","filename":"f.root","remoteSite":"SITE","filesize":10,"transferStart":1.7e9,"dataset":null}""");
        Assert.Equal(new ReplicaAccess("user.jdoe", "f.root", "SITE"), a);
        Assert.Equal(new ReplicaAccess("s", "n", "R"), Parse("""{"eventType":"get_sm","clientState":"found_root","scope":"s","name":"n","remoteSite":"R"}"""));
        Assert.Equal(new ReplicaAccess("s", "n", "R"), Parse("""{"eventType":"touch","scope":"s","filename":"n","remoteSite":"R"}"""));
    }

    [Theory]
    [InlineData("""{"eventType":"upload","clientState":"DONE","scope":"s","filename":"n","remoteSite":"R"}""")]
    [InlineData("""{"eventType":"download","clientState":"FAILED","scope":"s","filename":"n","remoteSite":"R"}""")]
    [InlineData("""{"eventType":"download","clientState":"DONE","scope":"s","filename":"n"}""")]
    [InlineData("""{"eventType":"download"}""")]
    [InlineData("""{"eventType":"download","clientState":"DONE","scope":"s","filename":"n","remoteSite":"a\u0000b"}""")]
    public void Uploads_failures_and_traces_without_a_replica_are_accepted_but_record_nothing(string json) => Assert.Null(Parse(json));

    [Theory]
    [InlineData("[]", "one JSON object")]
    [InlineData("{}", "needs an 'eventType'")]
    [InlineData("""{"eventType":"teleport"}""", "is not one Rucio knows")]
    [InlineData("""{"eventType":"download","filesize":"10"}""", "'filesize' must be a number")]
    [InlineData("""{"eventType":"download","remoteSite":7}""", "'remoteSite' must be a string")]
    [InlineData("""{"eventType":true}""", "'eventType' must be a string")]
    public void A_trace_of_the_wrong_shape_is_refused_with_the_reason(string json, string message)
    {
        var e = Assert.Throws<FerryException>(() => Parse(json));
        Assert.Equal(400, e.Status);
        Assert.Contains(message, e.Message);
    }
}
