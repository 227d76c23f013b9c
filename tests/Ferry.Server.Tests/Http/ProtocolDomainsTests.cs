using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Server.Http;

namespace Ferry.Server.Tests.Http;

public sealed class ProtocolDomainsTests
{
    [Fact]
    public void A_protocol_stored_without_domains_shows_priority_one_everywhere()
    {
        var shown = ProtocolDomains.Show(null);
        foreach (var op in new[] { "read", "write", "delete" })
        {
            Assert.Equal(1, (int)shown["lan"]![op]!);
            Assert.Equal(1, (int)shown["wan"]![op]!);
        }
        Assert.Equal(1, (int)shown["wan"]!["third_party_copy_read"]!);
    }

    [Fact]
    public void Shown_domains_fill_missing_operations_with_null_and_take_copy_priorities_from_lan_when_wan_has_none()
    {
        var shown = ProtocolDomains.Show("""{"wan": {"read": 2}, "lan": {"third_party_copy_write": 4}}""");
        Assert.Equal(2, (int)shown["wan"]!["read"]!);
        Assert.Null(shown["wan"]!["write"]);
        Assert.Null(shown["lan"]!["read"]);
        Assert.Equal(4, (int)shown["wan"]!["third_party_copy_write"]!);
        Assert.Null(shown["wan"]!["third_party_copy_read"]);
    }

    [Theory]
    [InlineData("""{"moon": {"read": 1}}""", "RSEProtocolDomainNotSupported")]
    [InlineData("""{"wan": {"fly": 1}}""", "RSEOperationNotSupported")]
    [InlineData("""{"wan": {"read": -1}}""", "RSEProtocolPriorityError")]
    [InlineData("""{"wan": {"read": 1.5}}""", "InvalidObject")]
    [InlineData("""{"wan": 3}""", "InvalidObject")]
    [InlineData("""[1]""", "InvalidObject")]
    public void Unusable_domains_are_refused_with_the_dialects_classes(string json, string exceptionClass)
    {
        Assert.Equal(exceptionClass, Assert.ThrowsAny<FerryException>(() => ProtocolDomains.Check(JsonNode.Parse(json))).ExceptionClass);
    }

    [Fact]
    public void Usable_domains_and_none_at_all_pass()
    {
        ProtocolDomains.Check(null);
        ProtocolDomains.Check(JsonNode.Parse("""{"lan": {"read": 0, "write": null}, "wan": {"third_party_copy_read": 1}}"""));
    }
}
