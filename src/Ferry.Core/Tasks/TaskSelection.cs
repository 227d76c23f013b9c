using System.Text.RegularExpressions;
using Ferry.Core.Errors;

namespace Ferry.Core.Tasks;

/// <summary>What bulk selection looks at of a task.</summary>
public sealed record TaskFacts(long Id, string Name, string Account, TaskState State, DateTimeOffset CreatedAt, int Jobs, int JobsFinished, long InputFiles, long OutputFiles);

/// <summary>
/// Bulk selection as pandastic offered it: owner, states (any of), age, a name pattern that must match the whole name,
/// completion bounds (% of jobs finished) and input/output file-count mismatch. Every criterion given must hold.
/// </summary>
public sealed record TaskSelection(string? User = null, IReadOnlyList<TaskState>? States = null, int? Days = null, string? Pattern = null,
    double? MinCompletion = null, double? MaxCompletion = null, bool IoMismatch = false)
{
    private readonly Regex? _pattern = Compile(Pattern);

    public bool IsEmpty => User is null && (States is null || States.Count == 0) && Days is null && Pattern is null && MinCompletion is null && MaxCompletion is null && !IoMismatch;

    public bool Matches(TaskFacts t, DateTimeOffset now) =>
        (User is null || t.Account == User)
        && (States is null || States.Count == 0 || States.Contains(t.State))
        && (Days is null || t.CreatedAt >= now.AddDays(-Days.Value))
        && (_pattern is null || _pattern.IsMatch(t.Name))
        && (MinCompletion is null || TaskTransitions.Completion(t.JobsFinished, t.Jobs) >= MinCompletion)
        && (MaxCompletion is null || TaskTransitions.Completion(t.JobsFinished, t.Jobs) <= MaxCompletion)
        && (!IoMismatch || t.InputFiles != t.OutputFiles);

    public void Validate()
    {
        if (Days is < 0) throw FerryException.Invalid($"--days must not be negative, got {Days}");
        if (MinCompletion is < 0 or > 100 || MaxCompletion is < 0 or > 100) throw FerryException.Invalid("Completion bounds are percentages between 0 and 100");
        if (MinCompletion > MaxCompletion) throw FerryException.Invalid($"--min-completion {MinCompletion} is above --max-completion {MaxCompletion}");
    }

    private static Regex? Compile(string? pattern)
    {
        if (pattern is null) return null;
        // Anchored so that "data.*" selects names that are entirely matched, not names that merely contain a match.
        try { return new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)); }
        catch (ArgumentException e) { throw FerryException.Invalid($"--pattern is not a valid regular expression: {e.Message}"); }
    }
}
