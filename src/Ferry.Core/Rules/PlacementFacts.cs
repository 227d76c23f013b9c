using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Model;

namespace Ferry.Core.Rules;

/// <summary>What the planner needs to know of a file: the catalogue's own row type implements it, so 100,000 files are planned without copying them.</summary>
public interface IPlacedFile
{
    string Scope { get; }
    string Name { get; }
    long Bytes { get; }
}

/// <summary>
/// Everything a rule's placement depends on, read by the store in one go inside the placing transaction. The planner
/// reads nothing else, so the same facts always give the same plan for the same random draws.
/// </summary>
public sealed record PlacementFacts<TFile> where TFile : IPlacedFile
{
    public required Rule Rule { get; init; }
    /// <summary>The rule's files, each once, in the groups they must be placed together: the whole DID (ALL), each dataset (DATASET) or each file (NONE).</summary>
    public required IReadOnlyList<IReadOnlyList<TFile>> Groups { get; init; }
    /// <summary>The rule's locks as they stand, on files still under the DID or not.</summary>
    public required IReadOnlyList<ReplicaLock> Locks { get; init; }
    /// <summary>Per file, the RSEs whose lock is STUCK because copying to them failed (not for want of a source).</summary>
    public IReadOnlyDictionary<(string Scope, string Name), HashSet<string>> FailedDestinations { get; init; } =
        new Dictionary<(string, string), HashSet<string>>();
    /// <summary>Every RSE that is not deleted, as expressions see it (its properties carry "id" and "availability_write").</summary>
    public required IReadOnlyList<RseFacts> Rses { get; init; }
    /// <summary>Bytes each RSE can still take (free space less MinFreeSpace), where the storage reported it.</summary>
    public IReadOnlyDictionary<string, long> Room { get; init; } = new Dictionary<string, long>();
    /// <summary>Per group (by position), the bytes of its files each RSE already holds AVAILABLE or COPYING.</summary>
    public IReadOnlyDictionary<int, Dictionary<string, long>> HeldByGroup { get; init; } = new Dictionary<int, Dictionary<string, long>>();
    /// <summary>The account's limits and usage; null when the rule is not charged (admins, ignore_account_limit).</summary>
    public AccountQuota? Quota { get; init; }
}

/// <summary>A lock to drop. <see cref="Purge"/>: its replica, once unlocked, may go at once rather than when space is needed.</summary>
public sealed record LockRemoval(ReplicaLock Lock, bool Purge);

/// <summary>Locks to create on one RSE: on every file of the group, or only on <see cref="Files"/>.</summary>
public sealed record Placement<TFile>(int Group, string RseId, IReadOnlyList<TFile>? Files) where TFile : IPlacedFile;

/// <summary>
/// The planner's answer. Removals come first, then placements. A refusal stops planning at the group that could not be
/// placed: groups planned before it keep their placements (at re-evaluation they are written and the rule goes STUCK
/// with the reason; at creation the refusal is the answer and nothing is written).
/// </summary>
/// <param name="AllowedSources">Names of the RSEs new copies may be read from (the rule's source_replica_expression); null: any readable one.</param>
public sealed record RulePlan<TFile>(IReadOnlyList<LockRemoval> Removals, IReadOnlyList<Placement<TFile>> Placements, FerryException? Refusal,
    IReadOnlySet<string>? AllowedSources) where TFile : IPlacedFile;
