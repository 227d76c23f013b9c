namespace Ferry.Core.Tasks;

public enum TaskAction { Pause, Unpause, Retry, Kill, Finish }

/// <summary>JEDI's answer codes: 0 ok, 2 task not found, 3 permission denied, 4 irrelevant (wrong) task status.</summary>
public enum ActionCode { Ok = 0, NotFound = 2, PermissionDenied = 3, WrongStatus = 4 }

/// <summary>The answer to one action on one task, with a message a person can act on.</summary>
public sealed record ActionAnswer(long TaskId, ActionCode Code, string Message, TaskState? From = null, TaskState? To = null)
{
    public bool Ok => Code == ActionCode.Ok;
    public string Status => Code switch
    {
        ActionCode.Ok => "ok", ActionCode.NotFound => "not found", ActionCode.PermissionDenied => "permission denied", _ => "wrong status",
    };
}

/// <summary>What an action needs of a task, and where it takes it. Pure: the catalogue applies the outcome.</summary>
public static class TaskTransitions
{
    private static readonly TaskState[] RetryFrom = [TaskState.Finished, TaskState.Failed, TaskState.Aborted, TaskState.Exhausted];
    private static readonly TaskState[] PauseNotFrom = [TaskState.Finished, TaskState.Failed, TaskState.Done, TaskState.Aborted, TaskState.Broken, TaskState.Paused];

    /// <param name="owner">the task's account, or null when there is no such task</param>
    /// <param name="anyJobStarted">whether any job of the task ever ran (unpause goes back to running, else ready)</param>
    public static ActionAnswer Decide(TaskAction action, long taskId, string? owner, TaskState state, string caller, bool callerIsAdmin, bool anyJobStarted)
    {
        if (owner is null) return new(taskId, ActionCode.NotFound, $"Task {taskId} does not exist");
        if (owner != caller && !callerIsAdmin)
            return new(taskId, ActionCode.PermissionDenied, $"Account {caller} can not {Verb(action)} task {taskId}: only its owner {owner} or an admin can");
        TaskState? to = action switch
        {
            TaskAction.Retry => RetryFrom.Contains(state) ? TaskState.Ready : null,
            TaskAction.Pause => PauseNotFrom.Contains(state) || state.IsFinal() ? null : TaskState.Paused,
            TaskAction.Unpause => state == TaskState.Paused ? (anyJobStarted ? TaskState.Running : TaskState.Ready) : null,
            TaskAction.Kill => state.IsFinal() ? null : TaskState.Aborted,
            TaskAction.Finish => state.IsFinal() || state == TaskState.Finishing ? null : TaskState.Finishing,
            _ => null,
        };
        if (to is null)
            return new(taskId, ActionCode.WrongStatus, $"Task {taskId} is {state.Wire()}: {Verb(action)} {Allowed(action)}", state);
        return new(taskId, ActionCode.Ok, $"Task {taskId}: {state.Wire()} -> {to.Value.Wire()}", state, to);
    }

    private static string Verb(TaskAction a) => a.ToString().ToLowerInvariant();

    private static string Allowed(TaskAction a) => a switch
    {
        TaskAction.Retry => "needs finished, failed, aborted or exhausted",
        TaskAction.Pause => "is refused from finished, failed, done, aborted, broken, exhausted and paused",
        TaskAction.Unpause => "needs paused",
        TaskAction.Kill => "is refused once a task has ended",
        _ => "is refused once a task has ended or is finishing",
    };

    /// <summary>
    /// Where a task goes when none of its jobs is waiting or running: done when every job finished, finished when
    /// some did, failed when none did. A task killed meanwhile stays aborted.
    /// </summary>
    public static TaskState Outcome(int finished, int failed, int cancelled) =>
        finished > 0 && failed == 0 && cancelled == 0 ? TaskState.Done
        : finished > 0 ? TaskState.Finished
        : TaskState.Failed;

    /// <summary>True when the failures already exceed the task's tolerance: the task stops and ends exhausted.</summary>
    public static bool IsExhausted(int failedJobs, int? maxFailedJobs) => maxFailedJobs is { } m && failedJobs > m;

    /// <summary>Percentage of the task's jobs that finished (0 for a task without jobs).</summary>
    public static double Completion(int finished, int total) => total == 0 ? 0 : 100.0 * finished / total;
}
