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

    public static Dictionary<string, object?> Did(Did d, long? bytes = null, long? length = null) => d.Type == DidType.File
        ? new() { ["scope"] = d.Scope, ["name"] = d.Name, ["type"] = "FILE", ["account"] = d.Account, ["bytes"] = d.Bytes, ["length"] = 1,
            ["md5"] = d.Md5, ["adler32"] = d.Adler32 }
        : new() { ["scope"] = d.Scope, ["name"] = d.Name, ["type"] = d.Type.Wire(), ["account"] = d.Account, ["open"] = d.IsOpen,
            ["monotonic"] = d.Monotonic, ["expired_at"] = RucioTime.Format(d.ExpiredAt), ["length"] = length ?? d.Length, ["bytes"] = bytes ?? d.Bytes };

    /// <summary>The DID_COLUMN metadata plugin: every DID column, Rucio's names.</summary>
    public static Dictionary<string, object?> DidColumns(Did d) => new()
    {
        ["scope"] = d.Scope, ["name"] = d.Name, ["account"] = d.Account, ["did_type"] = d.Type.Wire(), ["is_open"] = d.Type == DidType.File ? null : d.IsOpen,
        ["monotonic"] = d.Monotonic, ["hidden"] = false, ["obsolete"] = false, ["complete"] = null, ["is_new"] = true, ["availability"] = "AVAILABLE",
        ["suppressed"] = false, ["bytes"] = d.Bytes, ["length"] = d.Length, ["md5"] = d.Md5, ["adler32"] = d.Adler32,
        ["expired_at"] = RucioTime.Format(d.ExpiredAt), ["purge_replicas"] = true, ["deleted_at"] = null, ["events"] = d.Events,
        ["guid"] = d.Guid, ["project"] = null, ["datatype"] = null, ["run_number"] = null, ["stream_name"] = null, ["prod_step"] = null,
        ["version"] = null, ["campaign"] = null, ["task_id"] = null, ["panda_id"] = null, ["lumiblocknr"] = null, ["provenance"] = null,
        ["phys_group"] = null, ["transient"] = false, ["accessed_at"] = null, ["closed_at"] = null, ["eol_at"] = null, ["is_archive"] = null,
        ["constituent"] = null, ["access_cnt"] = null, ["created_at"] = RucioTime.Format(d.CreatedAt), ["updated_at"] = RucioTime.Format(d.UpdatedAt),
    };

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
