using System.Text.Json.Nodes;
using Ferry.Catalog.Replicas;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Server.Http;

namespace Ferry.Server.Endpoints;

/// <summary>A replica's file as the wire sends it (POST/PUT /replicas, a DID attached or created with an RSE).</summary>
internal static class ReplicaWire
{
    public static ReplicaFileSpec File(JsonObject o, ReplicaState defaultState) => new(
        Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")), o.OptLong("bytes"), o.OptString("adler32"), o.OptString("md5"),
        (o["meta"] as JsonObject)?.OptString("guid") ?? o.OptString("guid"),
        o.OptString("state") is { } s ? EnumNames.ParseReplicaState(s) : defaultState);
}
