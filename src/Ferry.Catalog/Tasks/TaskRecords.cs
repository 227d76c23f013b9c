using Ferry.Core.Tasks;

namespace Ferry.Catalog.Tasks;

/// <summary>What `ferry task submit` asks for, already validated for form by the endpoint.</summary>
public sealed record TaskSpec
{
    public required string Name { get; init; }
    public required string Account { get; init; }
    public required string InputScope { get; init; }
    public required string InputName { get; init; }
    public required string Template { get; init; }
    public required SplitRule Split { get; init; }
    public required string OutputScope { get; init; }
    public required string OutputDataset { get; init; }
    public required string OutputRse { get; init; }
    public string Executor { get; init; } = "local";
    public int MaxAttempts { get; init; } = 3;
    public int? MaxFailedJobs { get; init; }
    public int Priority { get; init; }
}

public sealed record TaskRecord
{
    public long Id { get; init; }
    public required string Name { get; init; }
    public required string Account { get; init; }
    public TaskState State { get; init; }
    public required string InputScope { get; init; }
    public required string InputName { get; init; }
    public required string Template { get; init; }
    public int? FilesPerJob { get; init; }
    public long? BytesPerJob { get; init; }
    public required string OutputScope { get; init; }
    public required string OutputDataset { get; init; }
    public required string OutputRse { get; init; }
    public required string Executor { get; init; }
    public int MaxAttempts { get; init; }
    public int? MaxFailedJobs { get; init; }
    public int Priority { get; init; }
    /// <summary>The parameters retries brought (JSON object, whitelisted keys only).</summary>
    public string Params { get; init; } = "{}";
    public long InputFiles { get; init; }
    public string? RuleId { get; init; }
    public string? Error { get; init; }
    public bool HardFinish { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
}

/// <summary>A task with its job counts, as listings show it.</summary>
public sealed record TaskView(TaskRecord Task, IReadOnlyDictionary<JobState, int> Jobs, long OutputFiles)
{
    public int TotalJobs => Jobs.Values.Sum();
    public int Count(JobState s) => Jobs.GetValueOrDefault(s);
    public TaskFacts Facts => new(Task.Id, Task.Name, Task.Account, Task.State, Task.CreatedAt, TotalJobs, Count(JobState.Finished), Task.InputFiles, OutputFiles);
}

public sealed record JobRecord
{
    public long TaskId { get; init; }
    public int Job { get; init; }
    public JobState State { get; init; }
    public int Attempt { get; init; }
    /// <summary>Attempts made before the last retry of the task; the budget counts from here.</summary>
    public int AttemptBase { get; init; }
    /// <summary>Whether the current attempt reached the executor (false between the claim and the submission).</summary>
    public bool Submitted { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    public string? Error { get; init; }
}

public sealed record AttemptRecord
{
    public long TaskId { get; init; }
    public int Job { get; init; }
    public int Attempt { get; init; }
    public required string Executor { get; init; }
    public string? ExternalId { get; init; }
    public JobState State { get; init; }
    public int? ExitCode { get; init; }
    public string? Error { get; init; }
    public required string WorkDir { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
}

public sealed record JobFile(string Scope, string Name, long Bytes);

public sealed record OutputFile(string Scope, string Name, long Bytes, string Adler32);

/// <summary>A running attempt the runner must watch, with what it needs to collect the result.</summary>
public sealed record ActiveAttempt(TaskRecord Task, JobRecord Job, AttemptRecord Attempt);
