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
}
