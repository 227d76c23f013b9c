using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Server.Endpoints;

namespace Ferry.Server.Tests.Endpoints;

public sealed class ReplicaWireTests
{
    [Fact]
    public void A_file_takes_the_default_state_and_its_guid_from_meta_first()
    {
        var f = ReplicaWire.File(JsonNode.Parse("""{"scope": "user.a", "name": "f1", "bytes": 10, "adler32": "0a0b0c0d", "guid": "outer", "meta": {"guid": "inner"}}""")!.AsObject(),
            ReplicaState.Copying);
        Assert.Equal(("user.a", "f1", 10L, "0a0b0c0d"), (f.Scope, f.Name, f.Bytes, f.Adler32));
        Assert.Equal("inner", f.Guid);
        Assert.Equal(ReplicaState.Copying, f.State);
    }

    [Fact]
    public void A_state_sent_by_letter_wins_over_the_default()
    {
        var f = ReplicaWire.File(JsonNode.Parse("""{"scope": "user.a", "name": "f1", "state": "A"}""")!.AsObject(), ReplicaState.Copying);
        Assert.Equal(ReplicaState.Available, f.State);
    }

    [Fact]
    public void A_name_that_climbs_is_refused()
    {
        Assert.ThrowsAny<FerryException>(() => ReplicaWire.File(JsonNode.Parse("""{"scope": "user.a", "name": "a/../b"}""")!.AsObject(), ReplicaState.Copying));
    }
}
