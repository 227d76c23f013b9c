using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Core.Rules;

/// <summary>
/// What a caller asks for when a rule is made (one rule per DID), whichever way it arrives: POST /rules/, a DID created
/// with rules, `ferry data replicate`, a subscription, a task's output rule. <see cref="Validated"/> is the one check of
/// its values; the catalogue calls it again before it writes, so no path can skip it.
/// </summary>
public sealed record RuleSpec
{
    public const int MinCopies = 1;
    public const int MaxCopies = 1000;
    public const long MaxLifetimeSeconds = 100L * 365 * 86400;
    public const int MaxMetaLength = 4000;

    /// <summary>Rucio's activities; a rule (and a moved rule, and a subscription's template) names one of these or none.</summary>
    public static readonly IReadOnlyList<string> Activities =
    [
        "Data Brokering", "Data Consolidation", "Data Rebalancing", "Debug", "Express", "Functional Test", "Group Subscriptions",
        "Production Input", "Production Output", "Analysis Input", "Analysis Output", "Staging", "T0 Export", "T0 Tape",
        "Upload/Download (Job)", "Upload/Download (User)", "User Subscriptions", "Data Challenge",
    ];

    public required IReadOnlyList<(string Scope, string Name)> Dids { get; init; }
    public required string Account { get; init; }
    public int Copies { get; init; } = 1;
    public required string RseExpression { get; init; }
    public RuleGrouping Grouping { get; init; } = RuleGrouping.Dataset;
    public string? Weight { get; init; }
    public long? LifetimeSeconds { get; init; }
    public bool Locked { get; init; }
    public string? SourceReplicaExpression { get; init; }
    public string? Activity { get; init; }
    public string Notification { get; init; } = "NO";
    public bool PurgeReplicas { get; init; }
    public bool IgnoreAvailability { get; init; }
    public int Priority { get; init; } = 3;
    public string? Comment { get; init; }
    public bool IgnoreAccountLimit { get; init; }
    public bool SplitContainer { get; init; }
    public string? Meta { get; init; }
    /// <summary>The subscription that placed the rule (Rucio's subscription_id); null for rules made by hand.</summary>
    public string? SubscriptionId { get; init; }

    /// <summary>
    /// The spec as given, or a <see cref="FerryException"/> naming the first thing wrong. Errors are Rucio's for POST
    /// /rules/: InvalidReplicationRule (409) for copies and lifetime, InvalidObject (400) for the rest.
    /// </summary>
    public RuleSpec Validated()
    {
        if (Dids.Count == 0) throw FerryException.Invalid("A rule needs at least one DID");
        CheckCopies(Copies);
        if (LifetimeSeconds is { } l && (l <= 0 || l > MaxLifetimeSeconds))
            throw new FerryException("InvalidReplicationRule", 409, $"lifetime must be between 1 second and 100 years, got {l}");
        CheckActivity(Activity);
        if (Comment is { Length: > 250 }) throw FerryException.Invalid("The comment is limited to 250 characters");
        if (Priority is < 1 or > 5) throw FerryException.Invalid("priority must be between 1 and 5");
        if (Notification is not ("NO" or "YES" or "CLOSE" or "PROGRESS")) throw FerryException.Invalid($"Unknown notify value '{Notification}'");
        CheckMeta(Meta);
        return this;
    }

    /// <summary>
    /// The one range check for a number of copies (a rule's copies, a subscription template's, a retention policy's
    /// min_copies). Each dialect keeps the error it has always answered: Rucio's POST /rules/ refuses with
    /// InvalidReplicationRule (409), which is the default; Ferry's own endpoints pass <paramref name="refuse"/>.
    /// </summary>
    public static int CheckCopies(long copies, string field = "copies", Func<string, FerryException>? refuse = null)
    {
        if (copies is >= MinCopies and <= MaxCopies) return (int)copies;
        var message = $"{field} must be between {MinCopies} and {MaxCopies}, got {copies}";
        throw refuse?.Invoke(message) ?? new FerryException("InvalidReplicationRule", 409, message);
    }

    public static void CheckActivity(string? activity)
    {
        if (activity is not null && !Activities.Contains(activity)) throw FerryException.Invalid($"Unknown activity '{activity}'");
    }

    /// <summary>Rucio keeps a rule's meta as the JSON text of whatever was sent; Ferry bounds its length.</summary>
    public static string? CheckMeta(string? meta) =>
        meta is { Length: > MaxMetaLength } ? throw FerryException.Invalid($"A rule's meta is limited to {MaxMetaLength} characters of JSON") : meta;
}
