using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>
/// One file of a replica listing (<c>POST /replicas/list</c>, <c>GET /replicas/{scope}/{name}</c>): its PFNs keyed by
/// URL in the server's order of preference, its RSEs with their PFNs, and (only when it has replicas) each RSE's
/// replica state; <c>parents</c> only when they were asked for.
/// </summary>
public sealed record RucioReplica
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public long? Bytes { get; init; }
    public string? Md5 { get; init; }
    public string? Adler32 { get; init; }
    public IReadOnlyDictionary<string, RucioPfn> Pfns { get; init; } = new Dictionary<string, RucioPfn>();
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Rses { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? States { get; init; }
    /// <summary>Every collection the file is in, as "scope:name", when the listing was asked to resolve parents.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Parents { get; init; }

    /// <summary>The replica's state on an RSE (AVAILABLE, COPYING, …), null when it has none there.</summary>
    public string? StateOn(string rse) => States?.GetValueOrDefault(rse);

    /// <summary>The PFNs with their RSE, most preferred first (the server's priority).</summary>
    public IEnumerable<(string Pfn, string Rse)> Sources() => Pfns.OrderBy(p => p.Value.Priority).Select(p => (p.Key, p.Value.Rse));
}

/// <summary>Where one PFN of a listed file is: its RSE, the RSE's type, and its rank among the file's PFNs (1 first).</summary>
public sealed record RucioPfn
{
    public required string RseId { get; init; }
    public required string Rse { get; init; }
    /// <summary>The RSE's type: DISK or TAPE.</summary>
    public required string Type { get; init; }
    public bool Volatile { get; init; }
    /// <summary>The network domain the PFN was chosen for (wan, lan).</summary>
    public required string Domain { get; init; }
    public int Priority { get; init; }
    public bool ClientExtract { get; init; }
}
