namespace Ferry.Engine;

/// <summary>How eagerly the daemons work. The defaults suit the embedded single-machine server.</summary>
public sealed record EngineOptions
{
    public TimeSpan JudgeIdle { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ConveyorIdle { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReaperIdle { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// How long a copy staged from tape to its buffer stays before the reaper may remove it (its tombstone);
    /// FERRY_STAGING_LIFETIME_SECONDS overrides it.
    /// </summary>
    public TimeSpan StagingLifetime { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Concurrent transfers of this process.</summary>
    public int ConveyorParallelism { get; init; } = 4;
    /// <summary>Concurrent transfers into one destination RSE.</summary>
    public int PerDestinationLimit { get; init; } = 4;
    /// <summary>Concurrent transfers over one source -> destination link.</summary>
    public int PerLinkLimit { get; init; } = 4;
    /// <summary>A transfer gets this long plus one second per <see cref="MinimumRate"/> bytes before it counts as hung.</summary>
    public TimeSpan TransferTimeoutBase { get; init; } = TimeSpan.FromSeconds(120);
    public long MinimumRate { get; init; } = 1 << 20;
    public bool RunDaemons { get; init; } = true;
    /// <summary>How long a worker's claim on a transfer lasts without a heartbeat (renewed every third of it).</summary>
    public TimeSpan TransferLease { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>A STUCK rule untouched this long has its stuck locks retried (with whatever source is available then).</summary>
    public TimeSpan StuckRetryAfter { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Transfer attempts before a lock goes STUCK.</summary>
    public int TransferAttempts { get; init; } = 3;

    public TimeSpan TransferTimeout(long? bytes) => TransferTimeoutBase + TimeSpan.FromSeconds((bytes ?? 0) / (double)MinimumRate);

    /// <summary>
    /// Defaults, overridden by FERRY_STUCK_RETRY_SECONDS, FERRY_TRANSFER_ATTEMPTS, FERRY_CONVEYOR_PARALLELISM,
    /// FERRY_PER_DESTINATION_LIMIT, FERRY_PER_LINK_LIMIT, FERRY_TRANSFER_TIMEOUT_SECONDS and FERRY_TRANSFER_LEASE_SECONDS.
    /// </summary>
    public static EngineOptions FromEnvironment()
    {
        var o = new EngineOptions();
        if (Positive("FERRY_STAGING_LIFETIME_SECONDS") is { } staging) o = o with { StagingLifetime = TimeSpan.FromSeconds(staging) };
        if (Positive("FERRY_STUCK_RETRY_SECONDS") is { } s) o = o with { StuckRetryAfter = TimeSpan.FromSeconds(s) };
        if (Positive("FERRY_TRANSFER_ATTEMPTS") is { } a) o = o with { TransferAttempts = a };
        if (Positive("FERRY_CONVEYOR_PARALLELISM") is { } p) o = o with { ConveyorParallelism = p };
        if (Positive("FERRY_PER_DESTINATION_LIMIT") is { } d) o = o with { PerDestinationLimit = d };
        if (Positive("FERRY_PER_LINK_LIMIT") is { } l) o = o with { PerLinkLimit = l };
        if (Positive("FERRY_TRANSFER_TIMEOUT_SECONDS") is { } t) o = o with { TransferTimeoutBase = TimeSpan.FromSeconds(t) };
        if (Positive("FERRY_TRANSFER_LEASE_SECONDS") is { } lease) o = o with { TransferLease = TimeSpan.FromSeconds(lease) };
        return o;
    }

    private static int? Positive(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var v) && v > 0 ? v : null;
}
