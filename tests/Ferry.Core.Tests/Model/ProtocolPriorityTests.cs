using System.Text.Json;
using Ferry.Core.Dialect;
using Ferry.Core.Model;

namespace Ferry.Core.Tests.Model;

/// <summary>The SDK ranks a typed protocol (<see cref="RucioProtocol.Domains"/>) exactly as the server ranks the stored JSON.</summary>
public sealed class ProtocolPriorityTests
{
    [Theory]
    [InlineData("""{"lan":{"read":1,"write":1,"delete":1},"wan":{"read":2,"write":null,"delete":1}}""")]
    [InlineData("""{"lan":{"read":0},"wan":{"delete":0,"third_party_copy_read":3}}""")]
    [InlineData("""{"lan":{"read":null},"wan":{"read":null}}""")]
    [InlineData("""{"lan":null,"wan":{"write":4}}""")]
    [InlineData("""{}""")]
    [InlineData("null")]
    public void Typed_domains_rank_as_their_JSON(string domains)
    {
        var typed = JsonSerializer.Deserialize(domains, DialectJson.Default.DictionaryStringDictionaryStringNullableInt32);
        using var doc = JsonDocument.Parse(domains);
        foreach (var op in new[] { "read", "write", "delete", "third_party_copy_read" })
            Assert.Equal(ProtocolPriority.Of(doc.RootElement, op), ProtocolPriority.Of(typed, op));
    }
}
