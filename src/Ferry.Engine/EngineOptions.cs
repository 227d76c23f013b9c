using Ferry.Core.Configuration;

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
    /// Defaults, overridden by FERRY_STAGING_LIFETIME_SECONDS, FERRY_STUCK_RETRY_SECONDS, FERRY_TRANSFER_ATTEMPTS,
    /// FERRY_CONVEYOR_PARALLELISM, FERRY_PER_DESTINATION_LIMIT, FERRY_PER_LINK_LIMIT, FERRY_TRANSFER_TIMEOUT_SECONDS and
    /// FERRY_TRANSFER_LEASE_SECONDS (whole numbers of at least 1; anything else stops the start with the variable's name).
    /// </summary>
    public static EngineOptions FromEnvironment(FerryEnvironment env)
    {
        var o = new EngineOptions();
        return o with
        {
            StagingLifetime = env.Seconds("FERRY_STAGING_LIFETIME_SECONDS", o.StagingLifetime),
            StuckRetryAfter = env.Seconds("FERRY_STUCK_RETRY_SECONDS", o.StuckRetryAfter),
            TransferAttempts = env.Int("FERRY_TRANSFER_ATTEMPTS", o.TransferAttempts),
            ConveyorParallelism = env.Int("FERRY_CONVEYOR_PARALLELISM", o.ConveyorParallelism),
            PerDestinationLimit = env.Int("FERRY_PER_DESTINATION_LIMIT", o.PerDestinationLimit),
            PerLinkLimit = env.Int("FERRY_PER_LINK_LIMIT", o.PerLinkLimit),
            TransferTimeoutBase = env.Seconds("FERRY_TRANSFER_TIMEOUT_SECONDS", o.TransferTimeoutBase),
            TransferLease = env.Seconds("FERRY_TRANSFER_LEASE_SECONDS", o.TransferLease),
        };
    }
}
