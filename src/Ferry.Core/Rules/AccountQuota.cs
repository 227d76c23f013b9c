namespace Ferry.Core.Rules;

/// <summary>A global limit: bytes the account may hold across the RSEs its expression selects (by name).</summary>
public sealed record GlobalQuota(long Bytes, IReadOnlySet<string> RseNames);

/// <summary>
/// An account's quotas as the store holds them, and the arithmetic over them. Pure: usage changes the caller plans
/// (locks removed, locks planned but not written) are passed in or applied here, never read back from the store.
/// </summary>
public sealed class AccountQuota
{
    /// <summary>The store's "no limit" value for a local limit or a global one.</summary>
    public const long Unlimited = -1;

    public required string Account { get; init; }
    /// <summary>Local limits by RSE id; an RSE with none has no room for this account.</summary>
    public required IReadOnlyDictionary<string, long> Limits { get; init; }
    /// <summary>Bytes locked by the account, by RSE id.</summary>
    public required Dictionary<string, long> Usage { get; init; }
    public IReadOnlyList<GlobalQuota> Globals { get; init; } = [];
    /// <summary>Names of the RSEs that are not deleted, by id (global limits name their RSEs).</summary>
    public required IReadOnlyDictionary<string, string> RseNames { get; init; }
    /// <summary>RSEs that charge nothing (the mock attribute).</summary>
    public IReadOnlySet<string> Exempt { get; init; } = new HashSet<string>();

    /// <summary>
    /// Bytes the account may still lock on the RSE, or null where it is unlimited: the local limit less usage, lowered by
    /// every global limit that covers the RSE. <paramref name="pending"/> bytes per RSE count as used.
    /// </summary>
    public long? Remaining(string rseId, IReadOnlyDictionary<string, long>? pending = null)
    {
        long Used(string id) => Usage.GetValueOrDefault(id) + (pending?.GetValueOrDefault(id) ?? 0);
        long? left = Limits.TryGetValue(rseId, out var limit) ? (limit == Unlimited ? null : limit - Used(rseId)) : 0;
        var name = RseNames.GetValueOrDefault(rseId);
        foreach (var g in Globals)
        {
            if (g.Bytes == Unlimited || name is null || !g.RseNames.Contains(name)) continue;
            var used = RseNames.Where(r => g.RseNames.Contains(r.Value)).Sum(r => Used(r.Key));
            left = left is null ? g.Bytes - used : Math.Min(left.Value, g.Bytes - used);
        }
        return left;
    }
}
