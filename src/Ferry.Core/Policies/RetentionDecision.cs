using Ferry.Core.Model;

namespace Ferry.Core.Policies;

/// <summary>What a replica's age counts from: its creation, or its last access (creation when it was never read).</summary>
public enum RetentionAge { Created, Access }

/// <summary>A site keeps its copy until <see cref="MinCopiesElsewhere"/> verified copies exist elsewhere and it is <see cref="MinAge"/> old.</summary>
public sealed record RetentionPolicy(int MinCopiesElsewhere, TimeSpan MinAge, RetentionAge AgeBy = RetentionAge.Created)
{
    public static string Wire(RetentionAge by) => by == RetentionAge.Access ? "access" : "created";

    public static RetentionAge ParseAgeBy(string text) => text switch
    {
        "created" => RetentionAge.Created,
        "access" => RetentionAge.Access,
        _ => throw Errors.FerryException.Invalid($"age_by '{text}': use 'created' (age since the replica was created) or 'access' (since it was last read)"),
    };
}

/// <summary>What retention knows about one replica on the policy's RSE; <see cref="Since"/> is what the age counts from.</summary>
/// <param name="VerifiedElsewhere">AVAILABLE copies on other RSEs that are not themselves scheduled for deletion.</param>
public sealed record RetentionCandidate(ReplicaState State, DateTimeOffset Since, int Locks, int VerifiedElsewhere);

public sealed record RetentionVerdict(bool Delete, string Reason);

/// <summary>The decision alone, without I/O, so that it can be tested exhaustively.</summary>
public static class Retention
{
    public static RetentionVerdict Decide(RetentionPolicy policy, RetentionCandidate r, DateTimeOffset now)
    {
        if (policy.MinCopiesElsewhere < 1) throw new ArgumentOutOfRangeException(nameof(policy), "a retention policy keeps at least one copy elsewhere");
        if (r.Locks > 0) return new(false, $"held by {r.Locks} rule lock(s)");
        if (r.State is not (ReplicaState.Available or ReplicaState.Bad))
            return new(false, $"replica is {r.State.Wire()}, only AVAILABLE or BAD copies are considered");
        if (r.VerifiedElsewhere < policy.MinCopiesElsewhere)
            return new(false, $"only {r.VerifiedElsewhere} verified copies elsewhere, the policy needs {policy.MinCopiesElsewhere}");
        // A bad copy is worth nothing once enough good ones exist: it goes whatever its age.
        if (r.State == ReplicaState.Bad)
            return new(true, $"BAD here and {r.VerifiedElsewhere} verified copies elsewhere");
        var age = now - r.Since;
        var old = policy.AgeBy == RetentionAge.Access ? "days since last access" : "days old";
        if (age < policy.MinAge)
            return new(false, $"{Days(age)} {old}, the policy keeps copies for {Days(policy.MinAge)} days");
        return new(true, $"{r.VerifiedElsewhere} verified copies elsewhere and {Days(age)} {old} (policy: {policy.MinCopiesElsewhere} copies, {Days(policy.MinAge)} days)");
    }

    private static string Days(TimeSpan t) => t.TotalDays.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
