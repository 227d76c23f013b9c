using Dapper;
using Ferry.Catalog.Db;
using Ferry.Core.Model;

namespace Ferry.Catalog.Transfers;

/// <summary>A transfer request with the names of its RSEs and the rule that holds a lock on its file there.</summary>
public sealed record RequestView
{
    public required string Id { get; init; }
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string DestRseId { get; init; }
    public required string DestRse { get; init; }
    public string? SourceRseId { get; init; }
    public string? SourceRse { get; init; }
    public RequestState State { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public long Bytes { get; init; }
    public string? Adler32 { get; init; }
    public string? Md5 { get; init; }
    public string? RuleId { get; init; }
    public string? Account { get; init; }
    public string? Activity { get; init; }
    public int? Priority { get; init; }
    public string? SourceReplicaExpression { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>
/// Reads of the transfer queue for Rucio's <c>/requests</c> API. Ferry keeps finished requests in the same table;
/// "active" (queued or being copied) is what Rucio keeps in its requests table, "finished" what it moves to history.
/// </summary>
public sealed class RequestListing(ICatalogDatabase db)
{
    // The rule is the oldest one with a lock on the file at the destination: the request exists because of it.
    private const string Select = """
        SELECT r.id, r.scope, r.name, r.dest_rse_id, d.name AS dest_rse, r.source_rse_id, s.name AS source_rse, r.state, r.attempts,
               r.last_error, r.bytes, r.adler32, r.md5, ru.id AS rule_id, ru.account, ru.activity, ru.priority, ru.source_replica_expression,
               r.started_at, r.finished_at, r.created_at, r.updated_at
        FROM requests r JOIN rses d ON d.id=r.dest_rse_id LEFT JOIN rses s ON s.id=r.source_rse_id
        LEFT JOIN rules ru ON ru.id=(SELECT l.rule_id FROM locks l WHERE l.scope=r.scope AND l.name=r.name AND l.rse_id=r.dest_rse_id
                                     ORDER BY l.created_at, l.rule_id LIMIT 1)
        """;

    private static readonly int[] Active = [(int)RequestState.Queued, (int)RequestState.Submitted];
    private static readonly int[] Finished = [(int)RequestState.Done, (int)RequestState.Failed];

    /// <summary>The newest request of a file to an RSE, among the active ones or among the finished ones.</summary>
    public Task<RequestView?> ForFileAsync(string scope, string name, string destRseId, bool finished) => db.ReadAsync(c =>
        c.QuerySingleOrDefaultAsync<RequestView>($"{Select} WHERE r.scope=@scope AND r.name=@name AND r.dest_rse_id=@destRseId AND r.state IN @states ORDER BY r.created_at DESC, r.id LIMIT 1",
            new { scope, name, destRseId, states = finished ? Finished : Active }));

    /// <summary>Requests on the links from the source RSEs to the destination RSEs, in the given states, oldest first.</summary>
    public Task<IReadOnlyList<RequestView>> BetweenAsync(IReadOnlyCollection<string> sourceRseIds, IReadOnlyCollection<string> destRseIds,
        IReadOnlyCollection<RequestState> states) => db.ReadAsync<IReadOnlyList<RequestView>>(async c =>
        (await c.QueryAsync<RequestView>($"{Select} WHERE r.source_rse_id IN @sourceRseIds AND r.dest_rse_id IN @destRseIds AND r.state IN @states ORDER BY r.created_at, r.id",
            new { sourceRseIds, destRseIds, states = states.Select(s => (int)s).ToArray() })).AsList());
}
