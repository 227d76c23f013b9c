using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Dialect;
using Ferry.Core.Model;
using Ferry.Core.Time;

namespace Ferry.Server.Http;

/// <summary>Catalogue objects in the exact shape (key names, enum names, date format) the Rucio client reads.</summary>
public static class WireFormat
{
    public static RucioRule Rule(Rule r) => new()
    {
        Id = r.Id, SubscriptionId = r.SubscriptionId, Account = r.Account, Scope = r.Scope, Name = r.Name, DidType = r.DidType.Wire(),
        State = r.State.Wire(), Error = r.Error, RseExpression = r.RseExpression, Copies = r.Copies, ExpiresAt = r.ExpiresAt, Weight = r.Weight,
        Locked = r.Locked, LocksOkCnt = r.LocksOkCnt, LocksReplicatingCnt = r.LocksReplicatingCnt, LocksStuckCnt = r.LocksStuckCnt,
        SourceReplicaExpression = r.SourceReplicaExpression, Activity = r.Activity, Grouping = r.Grouping.Wire(), Notification = r.Notification,
        StuckAt = r.StuckAt, PurgeReplicas = r.PurgeReplicas, IgnoreAvailability = r.IgnoreAvailability, IgnoreAccountLimit = r.IgnoreAccountLimit,
        Priority = r.Priority, Comments = r.Comments, ChildRuleId = r.ChildRuleId, EolAt = r.EolAt, SplitContainer = r.SplitContainer, Meta = r.Meta,
        CreatedAt = r.CreatedAt, UpdatedAt = r.UpdatedAt,
    };

    /// <summary>A rule as Rucio's listings give it: every column plus the DID's size as "bytes".</summary>
    public static RucioRule ListedRule(Rule r) => Rule(r) with { Bytes = r.DidBytes };

    public static RucioFileDid FileDid(Did d) => new()
        { Scope = d.Scope, Name = d.Name, Type = "FILE", Account = d.Account, Bytes = d.Bytes, Length = 1, Md5 = d.Md5, Adler32 = d.Adler32 };

    /// <summary>A dataset or container; <paramref name="bytes"/> and <paramref name="length"/> replace its counters when summed over its files.</summary>
    public static RucioCollectionDid CollectionDid(Did d, long? bytes = null, long? length = null) => new()
    {
        Scope = d.Scope, Name = d.Name, Type = d.Type.Wire(), Account = d.Account, Open = d.IsOpen, Monotonic = d.Monotonic, ExpiredAt = d.ExpiredAt,
        Length = length ?? d.Length, Bytes = bytes ?? d.Bytes,
    };

    /// <summary>
    /// The DID_COLUMN metadata plugin: every DID column, Rucio's names. Ferry has no hidden, obsolete, archived or
    /// suppressed DIDs and tracks no accesses, so those columns hold what a new Rucio DID holds.
    /// </summary>
    public static RucioDidColumns DidColumns(Did d) => new()
    {
        Scope = d.Scope, Name = d.Name, Account = d.Account, DidType = d.Type.Wire(), IsOpen = d.Type == DidType.File ? null : d.IsOpen,
        Monotonic = d.Monotonic, Hidden = False, IsNew = True, Availability = "AVAILABLE", Bytes = d.Bytes, Length = d.Length, Md5 = d.Md5,
        Adler32 = d.Adler32, ExpiredAt = d.ExpiredAt, PurgeReplicas = True, Events = d.Events, Guid = d.Guid, Transient = False,
        CreatedAt = d.CreatedAt, UpdatedAt = d.UpdatedAt,
    };

    private static readonly JsonElement True = JsonSerializer.SerializeToElement(true, DialectJson.Default.Boolean);
    private static readonly JsonElement False = JsonSerializer.SerializeToElement(false, DialectJson.Default.Boolean);

    public static Dictionary<string, object?> Rse(Rse r) => new()
    {
        ["id"] = r.Id, ["rse"] = r.Name, ["vo"] = "def", ["rse_type"] = r.RseType, ["deterministic"] = r.Deterministic, ["volatile"] = r.Volatile,
        ["staging_area"] = r.StagingArea, ["city"] = r.City, ["region_code"] = r.RegionCode, ["country_name"] = r.CountryName, ["continent"] = r.Continent,
        ["time_zone"] = r.TimeZone, ["ISP"] = r.Isp, ["ASN"] = r.Asn, ["longitude"] = r.Longitude, ["latitude"] = r.Latitude, ["availability"] = r.Availability,
        ["availability_read"] = r.AvailabilityRead, ["availability_write"] = r.AvailabilityWrite, ["availability_delete"] = r.AvailabilityDelete,
        ["qos_class"] = r.QosClass, ["deleted"] = false, ["deleted_at"] = null, ["created_at"] = RucioTime.Format(r.CreatedAt), ["updated_at"] = RucioTime.Format(r.UpdatedAt),
    };

    public static Dictionary<string, object?> Protocol(RseProtocol p) => new()
    {
        ["hostname"] = p.Hostname, ["scheme"] = p.Scheme, ["port"] = p.Port, ["prefix"] = p.Prefix, ["impl"] = p.Impl,
        ["domains"] = ProtocolDomains.Show(p.Domains),
        ["extended_attributes"] = p.ExtendedAttributes is null ? null : JsonNode.Parse(p.ExtendedAttributes),
    };

    /// <summary>Attribute values come back as JSON booleans for true/false and strings otherwise, as Rucio does.</summary>
    public static Dictionary<string, object?> Attributes(IReadOnlyDictionary<string, string> attrs) =>
        attrs.ToDictionary(a => a.Key, a => a.Value switch { "true" => (object?)true, "false" => false, _ => a.Value });

    public static JsonElement Element(object? o) => JsonSerializer.SerializeToElement(o, Wire.Options);
}
