namespace Ferry.Core.Dialect;

/// <summary>
/// One lock of a rule (a file held on an RSE), as <c>GET /rules/{id}/locks</c> lists it. <c>rse</c> is null when the
/// RSE has been deleted since (its id stays on the lock).
/// </summary>
public sealed record RucioLock
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string RseId { get; init; }
    public string? Rse { get; init; }
    /// <summary>Rucio's lock state name: OK, REPLICATING or STUCK.</summary>
    public required string State { get; init; }
    public required string RuleId { get; init; }
}
