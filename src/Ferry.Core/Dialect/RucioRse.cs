using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>
/// The columns of an RSE's row, which both the listing (<see cref="RucioRse"/>) and the RSE info (<see cref="RucioRseInfo"/>)
/// carry; not an answer of its own (hence abstract). Flags a Rucio server might leave out read as Rucio's defaults
/// (deterministic, available), so an older server's answer does not read as a blocked RSE.
/// </summary>
public abstract record RucioRseRow
{
    public required string Id { get; init; }
    public required string Rse { get; init; }
    public string Vo { get; init; } = "def";
    public required string RseType { get; init; }
    public bool Deterministic { get; init; } = true;
    public bool Volatile { get; init; }
    public bool StagingArea { get; init; }
    public string? City { get; init; }
    public string? RegionCode { get; init; }
    public string? CountryName { get; init; }
    public string? Continent { get; init; }
    public string? TimeZone { get; init; }
    [JsonPropertyName("ISP")] public string? Isp { get; init; }
    [JsonPropertyName("ASN")] public string? Asn { get; init; }
    public double? Longitude { get; init; }
    public double? Latitude { get; init; }
    /// <summary>The three flags as one number (read 4, write 2, delete 1), as Rucio still shows it.</summary>
    public int Availability { get; init; }
    public bool AvailabilityRead { get; init; } = true;
    public bool AvailabilityWrite { get; init; } = true;
    public bool AvailabilityDelete { get; init; } = true;
    public string? QosClass { get; init; }
    public bool Deleted { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? DeletedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset CreatedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>An RSE as Rucio's listing gives it (<c>GET /rses/</c>): the RSE's row.</summary>
public sealed record RucioRse : RucioRseRow;

/// <summary>
/// Rucio's "RSE info" (<c>GET /rses/{rse}</c>, <c>GET /rses/{rse}/protocols/{scheme}</c>): what a client needs to build
/// PFNs, with the RSE's protocols, after the row's columns. A Rucio server's info has no location, dates or vo (Ferry
/// carries the whole row), which is why none of those is required.
/// </summary>
public sealed record RucioRseInfo : RucioRseRow
{
    public RucioRseInfo() { }

    /// <summary>The info of an RSE whose row is already built, with no protocols until the caller gives them.</summary>
    [SetsRequiredMembers] public RucioRseInfo(RucioRseRow row) : base(row) => Protocols = [];

    /// <summary>Storage credentials; Rucio's server fills none in (a client adds its own), so always null.</summary>
    [JsonPropertyOrder(1)] public JsonElement? Credentials { get; init; }
    /// <summary>The network domains the protocols are ranked for.</summary>
    [JsonPropertyOrder(1)] public IReadOnlyList<string> Domain { get; init; } = ["lan", "wan"];
    [JsonPropertyOrder(1), JsonPropertyName("lfn2pfn_algorithm")] public string Lfn2PfnAlgorithm { get; init; } = "hash";
    [JsonPropertyOrder(1)] public string? SignUrl { get; init; }
    [JsonPropertyOrder(1)] public bool VerifyChecksum { get; init; } = true;
    [JsonPropertyOrder(1)] public required IReadOnlyList<RucioProtocol> Protocols { get; init; }
    /// <summary>The RSE's attributes; only <c>GET /export</c> carries them here.</summary>
    [JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, JsonElement>? Attributes { get; init; }
}

/// <summary>An RSE an expression selects (<c>GET /rses/?expression=</c>): Rucio answers the name only.</summary>
public sealed record RucioRseName(string Rse);

/// <summary>
/// One of an RSE's protocols. <see cref="Domains"/> ranks each operation per network domain ({"lan": {"read": 1, …},
/// "wan": {…, "third_party_copy_read": 1}}): 0 is the highest priority, null "not offered"; a protocol without domains
/// is offered for everything. Extended attributes are whatever JSON the protocol was given.
/// </summary>
public sealed record RucioProtocol
{
    public required string Hostname { get; init; }
    public required string Scheme { get; init; }
    public int Port { get; init; }
    public string Prefix { get; init; } = "";
    public string? Impl { get; init; }
    public Dictionary<string, Dictionary<string, int?>>? Domains { get; init; }
    public JsonElement? ExtendedAttributes { get; init; }
}
