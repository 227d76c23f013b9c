using System.Text.Json.Serialization;

namespace Ferry.Core.Dialect;

/// <summary>
/// A transfer request as Rucio's <c>/requests</c> API gives it: one file to one destination RSE, with the rule that
/// asked for it. Fields that belong to Rucio's external transfer tool (external_id, submitter_id, the estimates) are
/// null: Ferry's conveyor moves the bytes itself.
/// </summary>
public sealed record RucioRequest
{
    public required string Id { get; init; }
    public string RequestType { get; init; } = "TRANSFER";
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public string DidType { get; init; } = "FILE";
    public required string DestRseId { get; init; }
    public string? SourceRseId { get; init; }
    public required RucioRequestAttributes Attributes { get; init; }
    public required string State { get; init; }
    public string? ExternalId { get; init; }
    public string? ExternalHost { get; init; }
    public int RetryCount { get; init; }
    public string? ErrMsg { get; init; }
    public string? PreviousAttemptId { get; init; }
    public string? RuleId { get; init; }
    public string? Activity { get; init; }
    public long Bytes { get; init; }
    public string? Md5 { get; init; }
    public string? Adler32 { get; init; }
    public string? DestUrl { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? SubmittedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? StartedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? TransferredAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? EstimatedAt { get; init; }
    public string? SubmitterId { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? EstimatedStartedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? EstimatedTransferredAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? StagingStartedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? StagingFinishedAt { get; init; }
    public string? Account { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? RequestedAt { get; init; }
    public int Priority { get; init; }
    public string? Transfertool { get; init; }
    public string? LastProcessedBy { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset? LastProcessedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset CreatedAt { get; init; }
    [JsonConverter(typeof(RucioDateJsonConverter))] public DateTimeOffset UpdatedAt { get; init; }
    public string? SourceRse { get; init; }
    public required string DestRse { get; init; }
}

/// <summary>What the rule asked of the transfer, as Rucio keeps it in the request's attributes.</summary>
public sealed record RucioRequestAttributes
{
    public string? Activity { get; init; }
    public string? SourceReplicaExpression { get; init; }
    public long? Lifetime { get; init; }
    public string? DsScope { get; init; }
    public string? DsName { get; init; }
    public long Bytes { get; init; }
    public string? Md5 { get; init; }
    public string? Adler32 { get; init; }
    public int Priority { get; init; }
    public bool AllowTapeSource { get; init; } = true;
}
