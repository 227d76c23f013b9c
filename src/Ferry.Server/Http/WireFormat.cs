using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Catalog.Rses;
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

    public static RucioRse Rse(Rse r) => new()
    {
        Id = r.Id, Rse = r.Name, RseType = r.RseType, Deterministic = r.Deterministic, Volatile = r.Volatile, StagingArea = r.StagingArea,
        City = r.City, RegionCode = r.RegionCode, CountryName = r.CountryName, Continent = r.Continent, TimeZone = r.TimeZone, Isp = r.Isp,
        Asn = r.Asn, Longitude = r.Longitude, Latitude = r.Latitude, Availability = r.Availability, AvailabilityRead = r.AvailabilityRead,
        AvailabilityWrite = r.AvailabilityWrite, AvailabilityDelete = r.AvailabilityDelete, QosClass = r.QosClass, CreatedAt = r.CreatedAt,
        UpdatedAt = r.UpdatedAt,
    };

    /// <summary>Rucio's RSE info: the row, the settings a client builds PFNs with (from the attributes), and the protocols.</summary>
    public static RucioRseInfo RseInfo(Rse r, IReadOnlyDictionary<string, string> attrs, IEnumerable<RseProtocol> protocols) => new(Rse(r))
    {
        Lfn2PfnAlgorithm = attrs.GetValueOrDefault("lfn2pfn_algorithm") ?? "hash", SignUrl = attrs.GetValueOrDefault("sign_url"),
        VerifyChecksum = attrs.GetValueOrDefault("verify_checksum") != "false", Protocols = protocols.Select(Protocol).ToList(),
    };

    public static RucioProtocol Protocol(RseProtocol p) => new()
    {
        Hostname = p.Hostname, Scheme = p.Scheme, Port = p.Port, Prefix = p.Prefix, Impl = p.Impl,
        Domains = ProtocolDomains.Show(p.Domains).ToDictionary(d => d.Key, d => d.Value!.AsObject().ToDictionary(o => o.Key, o => Priority(o.Value))),
        ExtendedAttributes = p.ExtendedAttributes is null ? null : JsonElement.Parse(p.ExtendedAttributes),
    };

    /// <summary>
    /// A stored priority: a whole number (input is checked), else null, which is how the priority rule reads anything
    /// else (<see cref="ProtocolPriority"/>), so a value stored before input was checked still shows what it means.
    /// </summary>
    private static int? Priority(JsonNode? value) => value is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;

    /// <summary>Attribute values come back as JSON booleans for true/false and strings otherwise, as Rucio does.</summary>
    public static Dictionary<string, JsonElement> Attributes(IReadOnlyDictionary<string, string> attrs) =>
        attrs.ToDictionary(a => a.Key, a => a.Value switch
        {
            "true" => True, "false" => False, _ => JsonSerializer.SerializeToElement(a.Value, DialectJson.Default.String),
        });

    public static RucioDistance Distance(RseDistance d) => new()
    {
        SrcRseId = d.SrcRseId, DestRseId = d.DestRseId, SrcRse = d.SrcRse, DestRse = d.DestRse, Distance = d.Distance, Ranking = d.Distance,
        CreatedAt = d.CreatedAt, UpdatedAt = d.UpdatedAt,
    };

    public static JsonElement Element(object? o) => JsonSerializer.SerializeToElement(o, Wire.Options);
}
