namespace Ferry.Core.Model;

public sealed record Account
{
    public required string Name { get; init; }
    public AccountType Type { get; init; }
    public string Status { get; init; } = "ACTIVE";
    public string? Email { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record Did
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public DidType Type { get; init; }
    public required string Account { get; init; }
    public long? Bytes { get; init; }
    public long? Length { get; init; }
    public string? Adler32 { get; init; }
    public string? Md5 { get; init; }
    public long? Events { get; init; }
    public string? Guid { get; init; }
    public bool IsOpen { get; init; } = true;
    public bool Monotonic { get; init; }
    public DateTimeOffset? ExpiredAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record Rse
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string RseType { get; init; } = "DISK";
    public bool Deterministic { get; init; } = true;
    public bool Volatile { get; init; }
    public bool StagingArea { get; init; }
    public bool AvailabilityRead { get; init; } = true;
    public bool AvailabilityWrite { get; init; } = true;
    public bool AvailabilityDelete { get; init; } = true;
    public string? City { get; init; }
    public string? RegionCode { get; init; }
    public string? CountryName { get; init; }
    public string? Continent { get; init; }
    public string? TimeZone { get; init; }
    public string? Isp { get; init; }
    public string? Asn { get; init; }
    public double? Longitude { get; init; }
    public double? Latitude { get; init; }
    public string? QosClass { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public int Availability => (AvailabilityRead ? 4 : 0) | (AvailabilityWrite ? 2 : 0) | (AvailabilityDelete ? 1 : 0);
}

public sealed record RseProtocol
{
    public required string Scheme { get; init; }
    public required string Hostname { get; init; }
    public int Port { get; init; }
    public required string Prefix { get; init; }
    public string? Impl { get; init; }
    /// <summary>The dialect's domains object ({"lan":{"read":1,...},"wan":{...}}) kept as JSON text.</summary>
    public string? Domains { get; init; }
    public string? ExtendedAttributes { get; init; }
}

public sealed record Replica
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string RseId { get; init; }
    public ReplicaState State { get; init; }
    public long Bytes { get; init; }
    public string? Path { get; init; }
    public DateTimeOffset? Tombstone { get; init; }
    public long LockCnt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record Rule
{
    public required string Id { get; init; }
    public required string Account { get; init; }
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public DidType DidType { get; init; }
    public required string RseExpression { get; init; }
    public int Copies { get; init; } = 1;
    public RuleGrouping Grouping { get; init; } = RuleGrouping.Dataset;
    public string? Weight { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public bool Locked { get; init; }
    public string? SourceReplicaExpression { get; init; }
    public string Activity { get; init; } = "User Subscriptions";
    public string Notification { get; init; } = "NO";
    public bool PurgeReplicas { get; init; }
    public bool IgnoreAvailability { get; init; }
    public int Priority { get; init; } = 3;
    public string? Comments { get; init; }
    public RuleState State { get; init; }
    public string? Error { get; init; }
    public long LocksOkCnt { get; init; }
    public long LocksReplicatingCnt { get; init; }
    public long LocksStuckCnt { get; init; }
    public DateTimeOffset? StuckAt { get; init; }
    /// <summary>Set while the rule is being moved: the rule that replaces it once that one is OK.</summary>
    public string? ChildRuleId { get; init; }
    public string? SubscriptionId { get; init; }
    /// <summary>Admin-granted: the rule is not charged against the account's quotas.</summary>
    public bool IgnoreAccountLimit { get; init; }
    public DateTimeOffset? EolAt { get; init; }
    public bool SplitContainer { get; init; }
    /// <summary>Opaque workflow metadata, kept as the JSON text it arrived as (Rucio stores json.dumps of it).</summary>
    public string? Meta { get; init; }
    /// <summary>The size of the rule's DID, filled only by listings (Rucio's list views add it as "bytes").</summary>
    public long? DidBytes { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record ReplicaLock
{
    public required string RuleId { get; init; }
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string RseId { get; init; }
    public LockState State { get; init; }
    public long Bytes { get; init; }
    public required string Account { get; init; }
}

public sealed record TransferRequest
{
    public required string Id { get; init; }
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string DestRseId { get; init; }
    public string? SourceRseId { get; init; }
    public RequestState State { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public long Bytes { get; init; }
    public string? Adler32 { get; init; }
    public string? Md5 { get; init; }
    /// <summary>The rule's source_replica_expression: only RSEs it selects may serve as sources.</summary>
    public string? SourceExpression { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
