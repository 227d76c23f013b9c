using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Tasks;

namespace Ferry.Catalog.Tasks;

/// <summary>
/// Tasks as people see them: submit, look up, list with bulk selection, and the JEDI actions (pause, unpause,
/// retry, kill, finish). Each action on a task is one transaction; the runner's side is in <see cref="TaskQueue"/>.
/// </summary>
public sealed class TaskCatalog(ICatalogDatabase db, TimeProvider clock)
{
    /// <summary>Checks that the input has files and the output can be made, then records the task as registered.</summary>
    public Task<long> SubmitAsync(TaskSpec s) => db.WriteAsync(async (c, tx) =>
    {
        CommandTemplate.Validate(s.Template);
        if (s.MaxAttempts is < 1 or > 100) throw FerryException.Invalid($"Attempts per job must be between 1 and 100, got {s.MaxAttempts}");
        var input = await DidCatalog.Find(c, tx, s.InputScope, s.InputName) ?? throw FerryException.DidNotFound(s.InputScope, s.InputName);
        if (input.Type == DidType.File) throw FerryException.Invalid($"The input '{s.InputScope}:{s.InputName}' is a file; a task reads a dataset or a container");
        var files = await DidCatalog.Files(c, tx, s.InputScope, s.InputName);
        if (files.Count == 0) throw FerryException.Invalid($"The input '{s.InputScope}:{s.InputName}' has no files");
        await RseCatalog.Get(c, tx, s.OutputRse);
        if (await DidCatalog.Find(c, tx, s.OutputScope, s.OutputDataset) is { } existing && existing.Type != DidType.Dataset)
            throw FerryException.Invalid($"The output '{s.OutputScope}:{s.OutputDataset}' exists and is a {existing.Type.Wire()}, not a dataset");
        var now = clock.GetUtcNow();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO tasks(name,account,state,input_scope,input_name,template,files_per_job,bytes_per_job,output_scope,output_dataset,output_rse,
                executor,max_attempts,max_failed_jobs,priority,input_files,created_at,updated_at)
            VALUES (@Name,@Account,@state,@InputScope,@InputName,@Template,@fpj,@bpj,@OutputScope,@OutputDataset,@OutputRse,
                @Executor,@MaxAttempts,@MaxFailedJobs,@Priority,@files,@now,@now)
            RETURNING id
            """, new
        {
            s.Name, s.Account, state = TaskState.Registered, s.InputScope, s.InputName, s.Template, fpj = s.Split.FilesPerJob, bpj = s.Split.BytesPerJob,
            s.OutputScope, s.OutputDataset, s.OutputRse, s.Executor, s.MaxAttempts, s.MaxFailedJobs, s.Priority, files = files.Count, now,
        }, tx);
    });

    public Task<TaskRecord?> FindAsync(long id) => db.ReadAsync(c => Find(c, null, id));

    public async Task<TaskView> GetAsync(long id) =>
        (await ViewsAsync("WHERE t.id=@id", new { id })).SingleOrDefault() ?? throw TaskNotFound(id);

    public static FerryException TaskNotFound(long id) => FerryException.NotFound("TaskNotFound", $"Task {id} does not exist");

    /// <summary>Tasks that every given criterion selects, newest first.</summary>
    public async Task<IReadOnlyList<TaskView>> SelectAsync(TaskSelection selection)
    {
        selection.Validate();
        var now = clock.GetUtcNow();
        // Owner and states narrow in SQL; the rest needs the job counts and is checked on each row.
        var states = selection.States is { Count: > 0 } s ? s.Select(x => (int)x).ToArray() : null;
        var where = "WHERE (@user IS NULL OR t.account=@user)" + (states is null ? "" : " AND t.state IN @states");
        return (await ViewsAsync(where, new { user = selection.User, states })).Where(v => selection.Matches(v.Facts, now)).ToList();
    }

    private Task<IReadOnlyList<TaskView>> ViewsAsync(string where, object args) => db.ReadAsync<IReadOnlyList<TaskView>>(async c =>
    {
        var tasks = (await c.QueryAsync<TaskRecord>($"SELECT t.* FROM tasks t {where} ORDER BY t.id DESC", args)).AsList();
        if (tasks.Count == 0) return [];
        var ids = tasks.Select(t => t.Id).ToArray();
        var jobs = (await c.QueryAsync<(long TaskId, int State, int N)>("SELECT task_id, state, COUNT(*) FROM task_jobs WHERE task_id IN @ids GROUP BY task_id, state", new { ids }))
            .GroupBy(j => j.TaskId).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<JobState, int>)g.ToDictionary(j => (JobState)j.State, j => j.N));
        var outputs = (await c.QueryAsync<(long TaskId, long N)>("SELECT task_id, COUNT(*) FROM task_outputs WHERE task_id IN @ids GROUP BY task_id", new { ids }))
            .ToDictionary(o => o.TaskId, o => o.N);
        return tasks.Select(t => new TaskView(t, jobs.GetValueOrDefault(t.Id) ?? new Dictionary<JobState, int>(), outputs.GetValueOrDefault(t.Id))).ToList();
    });

    public Task<IReadOnlyList<JobRecord>> JobsAsync(long taskId) => db.ReadAsync<IReadOnlyList<JobRecord>>(async c =>
        (await c.QueryAsync<JobRecord>("SELECT * FROM task_jobs WHERE task_id=@taskId ORDER BY job", new { taskId })).AsList());

    public Task<IReadOnlyList<AttemptRecord>> AttemptsAsync(long taskId) => db.ReadAsync<IReadOnlyList<AttemptRecord>>(async c =>
        (await c.QueryAsync<AttemptRecord>("SELECT * FROM task_attempts WHERE task_id=@taskId ORDER BY job, attempt", new { taskId })).AsList());

    public Task<IReadOnlyList<OutputFile>> OutputsAsync(long taskId) => db.ReadAsync<IReadOnlyList<OutputFile>>(async c =>
        (await c.QueryAsync<OutputFile>("SELECT scope, name, bytes, adler32 FROM task_outputs WHERE task_id=@taskId ORDER BY job, name", new { taskId })).AsList());

    public Task<AttemptRecord?> AttemptAsync(long taskId, int job, int attempt) => db.ReadAsync(c =>
        c.QuerySingleOrDefaultAsync<AttemptRecord>("SELECT * FROM task_attempts WHERE task_id=@taskId AND job=@job AND attempt=@attempt", new { taskId, job, attempt }));

    /// <summary>
    /// One action on one task, decided by <see cref="TaskTransitions"/> and applied in one transaction. A refused
    /// action changes nothing. Retry parameters were checked against the whitelist before.
    /// </summary>
    public Task<ActionAnswer> ActAsync(TaskAction action, long id, string caller, bool isAdmin, IReadOnlyDictionary<string, JsonElement>? retryParams = null, bool hard = false) =>
        db.WriteAsync(async (c, tx) =>
        {
            var task = await Find(c, tx, id);
            var started = task is not null && await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM task_attempts WHERE task_id=@id", new { id }, tx) > 0;
            var answer = TaskTransitions.Decide(action, id, task?.Account, task?.State ?? TaskState.Registered, caller, isAdmin, started);
            if (!answer.Ok || task is null) return answer;
            var now = clock.GetUtcNow();
            var to = answer.To!.Value;
            switch (action)
            {
                case TaskAction.Kill:
                    await c.ExecuteAsync("UPDATE task_jobs SET state=@cancelled, error='task killed', updated_at=@now WHERE task_id=@id AND state IN (0,1)",
                        new { cancelled = JobState.Cancelled, now, id }, tx);
                    break;
                case TaskAction.Finish:
                    // Soft: jobs not started yet are dropped and running ones end normally. Hard: running ones are cancelled too.
                    await c.ExecuteAsync($"UPDATE task_jobs SET state=@cancelled, error='task finished by request', updated_at=@now WHERE task_id=@id AND state IN ({(hard ? "0,1" : "0")})",
                        new { cancelled = JobState.Cancelled, now, id }, tx);
                    await c.ExecuteAsync("UPDATE tasks SET hard_finish=@hard WHERE id=@id", new { hard, id }, tx);
                    break;
                case TaskAction.Retry:
                    to = await TaskRetry.Apply(c, tx, task, retryParams ?? new Dictionary<string, JsonElement>(), now);
                    answer = answer with { To = to, Message = $"Task {id}: {task.State.Wire()} -> {to.Wire()}" };
                    break;
            }
            await c.ExecuteAsync("UPDATE tasks SET state=@to, updated_at=@now, ended_at=@ended WHERE id=@id",
                new { to, now, ended = to.IsFinal() ? now : (DateTimeOffset?)null, id }, tx);
            return answer;
        });

    internal static Task<TaskRecord?> Find(DbConnection c, DbTransaction? tx, long id) =>
        c.QuerySingleOrDefaultAsync<TaskRecord>("SELECT * FROM tasks WHERE id=@id", new { id }, tx);

    /// <summary>The task's parameters with retry parameters merged in (later retries win).</summary>
    internal static string MergeParams(string current, IReadOnlyDictionary<string, JsonElement> update)
    {
        var o = JsonNode.Parse(current) as JsonObject ?? [];
        foreach (var (k, v) in update) o[k] = JsonNode.Parse(v.GetRawText());
        return o.ToJsonString();
    }
}
