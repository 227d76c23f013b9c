using Ferry.Core.Errors;

namespace Ferry.Core.Tasks;

/// <summary>A task's state, as JEDI names them where they mean something here.</summary>
public enum TaskState { Registered, Defined, Ready, Running, Paused, Finishing, Done, Finished, Failed, Broken, Aborted, Exhausted }

/// <summary>A job's state. A failed attempt with attempts left goes back to <see cref="Defined"/>; <see cref="Failed"/> is final.</summary>
public enum JobState { Defined, Running, Finished, Failed, Cancelled }

public static class TaskStateNames
{
    public static string Wire(this TaskState s) => s.ToString().ToLowerInvariant();
    public static string Wire(this JobState s) => s.ToString().ToLowerInvariant();

    public static readonly IReadOnlyList<TaskState> AllTaskStates = Enum.GetValues<TaskState>();

    public static TaskState ParseTaskState(string s) =>
        Enum.TryParse<TaskState>(s, ignoreCase: true, out var v) && !int.TryParse(s, out _) ? v
            : throw FerryException.Invalid($"Unknown task status '{s}': expected one of {string.Join(", ", AllTaskStates.Select(Wire))}");

    public static JobState ParseJobState(string s) =>
        Enum.TryParse<JobState>(s, ignoreCase: true, out var v) && !int.TryParse(s, out _) ? v
            : throw FerryException.Invalid($"Unknown job status '{s}': expected one of {string.Join(", ", Enum.GetValues<JobState>().Select(Wire))}");

    /// <summary>States a task does not leave by itself; only a retry brings some of them back.</summary>
    public static bool IsFinal(this TaskState s) => s is TaskState.Done or TaskState.Finished or TaskState.Failed or TaskState.Broken or TaskState.Aborted or TaskState.Exhausted;

    public static bool IsFinal(this JobState s) => s is JobState.Finished or JobState.Failed or JobState.Cancelled;

    /// <summary>States in which the runner may start new jobs.</summary>
    public static bool Dispatches(this TaskState s) => s is TaskState.Ready or TaskState.Running;
}
