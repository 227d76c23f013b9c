namespace Ferry.Core.Selection;

/// <summary>
/// What a `ferry data` action does to one item: the plan's verb (dry run) and the result's (submitted). An existing
/// rule is "exists" in both.
/// </summary>
public static class DataOutcome
{
    public const string Create = "create", Created = "created";
    public const string Exists = "exists";
    public const string Change = "change", Changed = "changed";
    public const string Skip = "skip", Skipped = "skipped";
    public const string Delete = "delete", Deleted = "deleted";
    public const string Fail = "fail", Failed = "failed";

    public static string Done(string planned) => planned switch
    {
        Create => Created, Change => Changed, Skip => Skipped, Delete => Deleted, Fail => Failed, _ => planned,
    };

    /// <summary>Outcomes a submit carries out; the others are reported as planned.</summary>
    public static bool IsWork(string planned) => planned is Create or Change or Delete;

    public static bool IsFailure(string outcome) => outcome is Fail or Failed;
}
