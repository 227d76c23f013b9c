using System.Text.Json.Serialization;
using Ferry.Core.Identifiers;

namespace Ferry.Client.Data;

/// <summary>A collection a selection found (POST /ferry/data/select).</summary>
public sealed record SelectedItem
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public string? Account { get; init; }
    public string? CreatedAt { get; init; }
    public long Length { get; init; }
    public long Bytes { get; init; }
    [JsonIgnore] public DidRef Did => new(Scope, Name);
}

/// <summary>One item of a plan or of its execution; <see cref="Outcome"/> is one of <see cref="Core.Selection.DataOutcome"/>.</summary>
public sealed record DataResult
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public string? RuleId { get; init; }
    public required string Outcome { get; init; }
    public string? Reason { get; init; }
    public string? RseExpression { get; init; }
    public string? ExpiresBefore { get; init; }
    public string? ExpiresAfter { get; init; }
}

/// <summary>What `ferry data replicate` asks for.</summary>
public sealed record ReplicateRequest(string RseExpression, int Copies = 1, long? Lifetime = null, string Grouping = "DATASET",
    string? Activity = null, string? Comment = null, string? Account = null);

/// <summary>Which rules of the selected DIDs an extend or delete touches.</summary>
public sealed record RuleScopeRequest(string? Account, IReadOnlyList<string> On, long? ExpiresWithinSeconds);
