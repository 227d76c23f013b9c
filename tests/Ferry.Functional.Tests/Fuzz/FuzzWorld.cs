namespace Ferry.Functional.Tests.Fuzz;

/// <summary>The real objects of the small catalogue built before fuzzing, so requests hit existing things as well as missing ones.</summary>
public sealed record FuzzWorld
{
    public required IReadOnlyList<string> Accounts { get; init; }
    public required IReadOnlyList<string> Rses { get; init; }
    public required IReadOnlyList<string> Scopes { get; init; }
    public required IReadOnlyList<(string Scope, string Name)> Files { get; init; }
    public required IReadOnlyList<(string Scope, string Name)> Collections { get; init; }
    public required IReadOnlyList<string> RuleIds { get; init; }
    public IReadOnlyList<string> RseDirectories { get; init; } = [];
}
