using Ferry.Core.Model;
using Ferry.Engine.Storage;

namespace Ferry.Engine.Tests.Storage;

/// <summary>A protocol's priority per operation, as the daemons choose storage by it (lowest first; null: not offered).</summary>
public sealed class RseStorageTests
{
    private static RseProtocol Protocol(string? domains) => new() { Scheme = "root", Hostname = "eos.example.org", Port = 1094, Prefix = "/eos/", Domains = domains };

    [Fact]
    public void A_protocol_without_domains_offers_everything_at_priority_one()
    {
        foreach (var op in Enum.GetValues<StorageOperation>()) Assert.Equal(1, RseStorage.Priority(Protocol(null), op));
    }

    [Fact]
    public void The_best_priority_over_lan_and_wan_counts_and_null_means_not_offered()
    {
        var p = Protocol("""{"lan": {"read": 3, "write": null}, "wan": {"read": 0, "write": null, "delete": 2}}""");
        Assert.Equal(0, RseStorage.Priority(p, StorageOperation.Read));
        Assert.Null(RseStorage.Priority(p, StorageOperation.Write));
        Assert.Equal(2, RseStorage.Priority(p, StorageOperation.Delete));
    }

    [Fact]
    public void A_pfn_joins_the_protocol_and_the_replica_path()
    {
        var e = new RseEndpoint(null!, Protocol(null));
        Assert.Equal("root://eos.example.org:1094/eos/user/ab/cd/f.root", e.Pfn("user/ab/cd/f.root"));
    }
}
