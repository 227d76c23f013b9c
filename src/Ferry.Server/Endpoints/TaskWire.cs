using System.Text.Json;
using Ferry.Catalog.Tasks;
using Ferry.Core.Tasks;
using Ferry.Core.Time;

namespace Ferry.Server.Endpoints;

/// <summary>How tasks, jobs, attempts and action answers look on the wire (snake_case, states by JEDI name).</summary>
internal static class TaskWire
{
    public static Dictionary<string, object?> Task(TaskView v)
    {
        var t = v.Task;
        return new()
        {
            ["task_id"] = t.Id, ["name"] = t.Name, ["account"] = t.Account, ["status"] = t.State.Wire(),
            ["input"] = $"{t.InputScope}:{t.InputName}", ["command"] = t.Template, ["files_per_job"] = t.FilesPerJob, ["bytes_per_job"] = t.BytesPerJob,
            ["output_scope"] = t.OutputScope, ["output_dataset"] = t.OutputDataset, ["output_rse"] = t.OutputRse, ["executor"] = t.Executor,
            ["max_attempts"] = t.MaxAttempts, ["max_failed_jobs"] = t.MaxFailedJobs, ["priority"] = t.Priority,
            ["params"] = JsonDocument.Parse(t.Params).RootElement.Clone(),
            ["input_files"] = t.InputFiles, ["output_files"] = v.OutputFiles, ["jobs"] = v.TotalJobs,
            ["jobs_by_status"] = Enum.GetValues<JobState>().ToDictionary(s => s.Wire(), v.Count),
            ["completion"] = Math.Round(TaskTransitions.Completion(v.Count(JobState.Finished), v.TotalJobs), 1),
            ["rule_id"] = t.RuleId, ["error"] = t.Error,
            ["created_at"] = RucioTime.Format(t.CreatedAt), ["updated_at"] = RucioTime.Format(t.UpdatedAt), ["ended_at"] = RucioTime.Format(t.EndedAt),
        };
    }

    public static Dictionary<string, object?> Job(JobRecord j) => new()
    {
        ["job"] = j.Job, ["status"] = j.State.Wire(), ["attempt"] = j.Attempt, ["attempts_since_retry"] = j.Attempt - j.AttemptBase, ["error"] = j.Error,
    };

    public static Dictionary<string, object?> Attempt(AttemptRecord a) => new()
    {
        ["job"] = a.Job, ["attempt"] = a.Attempt, ["executor"] = a.Executor, ["external_id"] = a.ExternalId, ["status"] = a.State.Wire(),
        ["exit_code"] = a.ExitCode, ["error"] = a.Error, ["started_at"] = RucioTime.Format(a.StartedAt), ["ended_at"] = RucioTime.Format(a.EndedAt),
        ["stdout_bytes"] = Size(Path.Combine(a.WorkDir, "stdout")), ["stderr_bytes"] = Size(Path.Combine(a.WorkDir, "stderr")),
    };

    private static long? Size(string path) => File.Exists(path) ? new FileInfo(path).Length : null;

    public static Dictionary<string, object?> Answer(ActionAnswer a) => new()
    {
        ["task_id"] = a.TaskId, ["code"] = (int)a.Code, ["status"] = a.Status, ["message"] = a.Message, ["from"] = a.From?.Wire(), ["to"] = a.To?.Wire(),
    };
}
