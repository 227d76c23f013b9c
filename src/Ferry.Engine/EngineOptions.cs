namespace Ferry.Engine;

/// <summary>How eagerly the daemons work. The defaults suit the embedded single-machine server.</summary>
public sealed record EngineOptions
{
    public TimeSpan JudgeIdle { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ConveyorIdle { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReaperIdle { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Concurrent transfers of this process.</summary>
    public int ConveyorParallelism { get; init; } = 4;
    /// <summary>Concurrent transfers into one destination RSE.</summary>
    public int PerDestinationLimit { get; init; } = 4;
    public bool RunDaemons { get; init; } = true;
    /// <summary>A STUCK rule untouched this long has its stuck locks retried (with whatever source is available then).</summary>
    public TimeSpan StuckRetryAfter { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Transfer attempts before a lock goes STUCK.</summary>
    public int TransferAttempts { get; init; } = 3;

    /// <summary>Defaults, overridden by FERRY_STUCK_RETRY_SECONDS and FERRY_TRANSFER_ATTEMPTS.</summary>
    public static EngineOptions FromEnvironment()
    {
        var o = new EngineOptions();
        if (int.TryParse(Environment.GetEnvironmentVariable("FERRY_STUCK_RETRY_SECONDS"), out var s) && s > 0) o = o with { StuckRetryAfter = TimeSpan.FromSeconds(s) };
        if (int.TryParse(Environment.GetEnvironmentVariable("FERRY_TRANSFER_ATTEMPTS"), out var a) && a > 0) o = o with { TransferAttempts = a };
        return o;
    }
}
