using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Rses;
using Ferry.Catalog.Rules;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Paths;
using Ferry.Core.Tasks;

namespace Ferry.Catalog.Tasks;

/// <summary>
/// The task runner's side of the catalogue. A job is claimed (defined -> running, attempt n+1) in one transaction
/// before anything is submitted, and the attempt's work directory is a function of (task, job, attempt), so a
/// runner that restarts finds what it submitted instead of submitting it again.
/// </summary>
public sealed class TaskQueue(ICatalogDatabase db, DidCatalog dids, TimeProvider clock)
{
    public Task<IReadOnlyList<TaskRecord>> RegisteredAsync(int limit) => db.ReadAsync<IReadOnlyList<TaskRecord>>(async c =>
        (await c.QueryAsync<TaskRecord>("SELECT * FROM tasks WHERE state=@s ORDER BY priority DESC, id LIMIT @limit", new { s = TaskState.Registered, limit })).AsList());

    /// <summary>The task's current input files; the input may have changed since the submission.</summary>
    public Task<IReadOnlyList<Did>> InputFilesAsync(TaskRecord t) => dids.FilesAsync(t.InputScope, t.InputName);

    /// <summary>registered -> defined: the output dataset exists (made now when missing) and the task's parameters held.</summary>
    public Task DefineAsync(long id) => db.WriteAsync(async (c, tx) =>
    {
        var t = await TaskCatalog.Find(c, tx, id) ?? throw TaskCatalog.TaskNotFound(id);
        if (t.State != TaskState.Registered) return 0;
        var existing = await DidCatalog.Find(c, tx, t.OutputScope, t.OutputDataset);
        if (existing is null) await dids.InsertCollection(c, tx, t.OutputScope, t.OutputDataset, DidType.Dataset, t.Account, null, null);
        else if (existing.Type != DidType.Dataset) throw FerryException.Invalid($"The output '{t.OutputScope}:{t.OutputDataset}' is a {existing.Type.Wire()}, not a dataset");
        return await SetState(c, tx, id, TaskState.Defined, clock.GetUtcNow());
    });

    /// <summary>defined -> ready: the jobs and the output rule are recorded together. Only from defined, so a second call does nothing.</summary>
    public Task<bool> ReadyAsync(long id, IReadOnlyList<IReadOnlyList<SplitFile>> jobs, string ruleId) => db.WriteAsync(async (c, tx) =>
    {
        var t = await TaskCatalog.Find(c, tx, id) ?? throw TaskCatalog.TaskNotFound(id);
        if (t.State != TaskState.Defined) return false;
        var now = clock.GetUtcNow();
        await InsertJobs(c, tx, id, 1, jobs, now);
        await c.ExecuteAsync("UPDATE tasks SET rule_id=@ruleId, input_files=@n WHERE id=@id", new { ruleId, n = jobs.Sum(j => j.Count), id }, tx);
        await SetState(c, tx, id, TaskState.Ready, now);
        return true;
    });

    public Task BreakAsync(long id, string error) => db.WriteAsync(async (c, tx) =>
    {
        await c.ExecuteAsync("UPDATE tasks SET error=@error WHERE id=@id", new { error, id }, tx);
        return await SetState(c, tx, id, TaskState.Broken, clock.GetUtcNow());
    });

    internal static async Task InsertJobs(DbConnection c, DbTransaction tx, long taskId, int first, IReadOnlyList<IReadOnlyList<SplitFile>> jobs, DateTimeOffset now)
    {
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = first + i;
            await c.ExecuteAsync("INSERT INTO task_jobs(task_id,job,state,next_attempt_at,created_at,updated_at) VALUES (@taskId,@job,0,@now,@now,@now)",
                new { taskId, job, now }, tx);
            await c.ExecuteAsync("INSERT INTO task_job_files(task_id,job,scope,name,bytes) VALUES (@taskId,@job,@Scope,@Name,@Bytes)",
                jobs[i].Select(f => new { taskId, job, f.Scope, f.Name, f.Bytes }), tx);
        }
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due jobs of dispatching tasks for <paramref name="executor"/>: the job
    /// becomes running with its next attempt, not yet submitted. Higher task priority first.
    /// </summary>
    public Task<IReadOnlyList<ActiveAttempt>> ClaimAsync(string executor, int limit, Func<long, int, int, string> workDir) =>
        db.WriteAsync<IReadOnlyList<ActiveAttempt>>(async (c, tx) =>
        {
            if (limit <= 0) return [];
            var now = clock.GetUtcNow();
            var due = (await c.QueryAsync<JobRecord>("""
                SELECT j.* FROM task_jobs j JOIN tasks t ON t.id=j.task_id
                WHERE j.state=0 AND j.next_attempt_at<=@now AND t.state IN (2,3) AND t.executor=@executor
                ORDER BY t.priority DESC, t.id, j.job LIMIT @limit
                """, new { now, executor, limit }, tx)).AsList();
            var claimed = new List<ActiveAttempt>();
            foreach (var j in due)
            {
                var attempt = j.Attempt + 1;
                var dir = workDir(j.TaskId, j.Job, attempt);
                await c.ExecuteAsync("UPDATE task_jobs SET state=1, attempt=@attempt, submitted=0, updated_at=@now WHERE task_id=@TaskId AND job=@Job",
                    new { attempt, now, j.TaskId, j.Job }, tx);
                await c.ExecuteAsync("""
                    INSERT INTO task_attempts(task_id,job,attempt,executor,state,work_dir,started_at) VALUES (@TaskId,@Job,@attempt,@executor,1,@dir,@now)
                    """, new { j.TaskId, j.Job, attempt, executor, dir, now }, tx);
                await c.ExecuteAsync("UPDATE tasks SET state=3, updated_at=@now WHERE id=@TaskId AND state=2", new { now, j.TaskId }, tx);
                var task = (await TaskCatalog.Find(c, tx, j.TaskId))!;
                claimed.Add(new ActiveAttempt(task, j with { State = JobState.Running, Attempt = attempt },
                    new AttemptRecord { TaskId = j.TaskId, Job = j.Job, Attempt = attempt, Executor = executor, State = JobState.Running, WorkDir = dir, StartedAt = now }));
            }
            return claimed;
        });

    /// <summary>Every attempt still marked running (after a restart: what the previous process left), with its task and job.</summary>
    public Task<IReadOnlyList<ActiveAttempt>> ActiveAsync(string executor) => db.ReadAsync<IReadOnlyList<ActiveAttempt>>(async c =>
    {
        var attempts = (await c.QueryAsync<AttemptRecord>("SELECT * FROM task_attempts WHERE state=1 AND executor=@executor ORDER BY task_id, job", new { executor })).AsList();
        var result = new List<ActiveAttempt>();
        foreach (var a in attempts)
        {
            var task = (await TaskCatalog.Find(c, null, a.TaskId))!;
            var job = await c.QuerySingleOrDefaultAsync<JobRecord>("SELECT * FROM task_jobs WHERE task_id=@TaskId AND job=@Job", a);
            // A job re-split away by a retry with nFiles leaves its attempt behind: it counts as cancelled.
            result.Add(new ActiveAttempt(task, job ?? new JobRecord { TaskId = a.TaskId, Job = a.Job, State = JobState.Cancelled, Attempt = a.Attempt }, a));
        }
        return result;
    });

    public Task<IReadOnlyList<JobFile>> JobFilesAsync(long taskId, int job) => db.ReadAsync<IReadOnlyList<JobFile>>(async c =>
        (await c.QueryAsync<JobFile>("SELECT scope, name, bytes FROM task_job_files WHERE task_id=@taskId AND job=@job ORDER BY scope, name", new { taskId, job })).AsList());

    public Task MarkSubmittedAsync(AttemptRecord a, string externalId) => db.WriteAsync(async (c, tx) =>
    {
        await c.ExecuteAsync("UPDATE task_attempts SET external_id=@externalId WHERE task_id=@TaskId AND job=@Job AND attempt=@Attempt",
            new { externalId, a.TaskId, a.Job, a.Attempt }, tx);
        return await c.ExecuteAsync("UPDATE task_jobs SET submitted=1 WHERE task_id=@TaskId AND job=@Job AND attempt=@Attempt", a, tx);
    });

    /// <summary>
    /// The attempt succeeded and its outputs are on the output RSE, verified: in one transaction the files are
    /// registered with their adler32, their replicas AVAILABLE, attached to the output dataset, and the job finished.
    /// Returns false (and registers nothing) when the job was cancelled or moved on meanwhile.
    /// </summary>
    public Task<bool> CompleteAsync(TaskRecord t, AttemptRecord a, IReadOnlyList<OutputFile> outputs) => db.WriteAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        var current = await c.QuerySingleOrDefaultAsync<JobRecord>("SELECT * FROM task_jobs WHERE task_id=@TaskId AND job=@Job", a, tx);
        await EndAttempt(c, tx, a, current is { State: JobState.Running } && current.Attempt == a.Attempt ? JobState.Finished : JobState.Cancelled, 0, null, now);
        if (current is not { State: JobState.Running } || current.Attempt != a.Attempt) return false;
        var rse = await RseCatalog.Get(c, tx, t.OutputRse);
        foreach (var f in outputs)
        {
            await dids.EnsureFile(c, tx, f.Scope, f.Name, t.Account, f.Bytes, f.Adler32, null, null);
            var inserted = await c.ExecuteAsync("""
                INSERT INTO replicas(scope,name,rse_id,state,bytes,path,tombstone,lock_cnt,created_at,updated_at)
                VALUES (@Scope,@Name,@rse,@available,@Bytes,@path,NULL,0,@now,@now) ON CONFLICT DO NOTHING
                """, new { f.Scope, f.Name, rse = rse.Id, available = ReplicaState.Available, f.Bytes, path = Lfn2Pfn.Hash(f.Scope, f.Name), now }, tx);
            if (inserted > 0) await RuleReconciler.OnReplicaAvailable(c, tx, f.Scope, f.Name, rse.Id, now);
            await c.ExecuteAsync("INSERT INTO task_outputs(scope,name,task_id,job,bytes,adler32) VALUES (@Scope,@Name,@TaskId,@Job,@Bytes,@Adler32) ON CONFLICT DO NOTHING",
                new { f.Scope, f.Name, a.TaskId, a.Job, f.Bytes, f.Adler32 }, tx);
        }
        if (outputs.Count > 0)
            await dids.Attach(c, tx, t.OutputScope, t.OutputDataset, outputs.Select(f => new ChildSpec(f.Scope, f.Name, f.Bytes, f.Adler32)).ToList(), ignoreDuplicate: true);
        await c.ExecuteAsync("UPDATE task_jobs SET state=2, error=NULL, updated_at=@now WHERE task_id=@TaskId AND job=@Job", new { now, a.TaskId, a.Job }, tx);
        return true;
    });

    /// <summary>A failed attempt: the job waits <paramref name="retryAfter"/> for its next one, or fails once its budget is spent.</summary>
    public Task FailAsync(TaskRecord t, AttemptRecord a, int? exitCode, string error, TimeSpan retryAfter) => db.WriteAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        var current = await c.QuerySingleOrDefaultAsync<JobRecord>("SELECT * FROM task_jobs WHERE task_id=@TaskId AND job=@Job", a, tx);
        var live = current is { State: JobState.Running } && current.Attempt == a.Attempt;
        await EndAttempt(c, tx, a, live ? JobState.Failed : JobState.Cancelled, exitCode, error, now);
        if (!live) return 0;
        var spent = current!.Attempt - current.AttemptBase >= t.MaxAttempts;
        return await c.ExecuteAsync("UPDATE task_jobs SET state=@state, error=@error, next_attempt_at=@next, updated_at=@now WHERE task_id=@TaskId AND job=@Job",
            new { state = spent ? JobState.Failed : JobState.Defined, error, next = now + retryAfter, now, a.TaskId, a.Job }, tx);
    });

    /// <summary>The executor stopped an attempt of a job that was cancelled (kill, hard finish, re-split).</summary>
    public Task CancelledAsync(AttemptRecord a) => db.WriteAsync(async (c, tx) =>
    {
        await EndAttempt(c, tx, a, JobState.Cancelled, null, "cancelled", clock.GetUtcNow());
        return 0;
    });

    private static Task EndAttempt(DbConnection c, DbTransaction tx, AttemptRecord a, JobState state, int? exitCode, string? error, DateTimeOffset now) =>
        c.ExecuteAsync("UPDATE task_attempts SET state=@state, exit_code=@exitCode, error=@error, ended_at=@now WHERE task_id=@TaskId AND job=@Job AND attempt=@Attempt AND state=1",
            new { state, exitCode, error, now, a.TaskId, a.Job, a.Attempt }, tx);

    /// <summary>
    /// Ends tasks with nothing left to run (done, finished or failed by their jobs), and stops tasks whose failed
    /// jobs passed their tolerance (exhausted). Returns how many tasks changed.
    /// </summary>
    public Task<int> FinalizeAsync() => db.WriteAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        var rows = (await c.QueryAsync<(long Id, int State, int? MaxFailed, int Active, int Finished, int Failed, int Cancelled, int Attempts)>("""
            SELECT t.id, t.state, t.max_failed_jobs,
                (SELECT COUNT(*) FROM task_jobs j WHERE j.task_id=t.id AND j.state IN (0,1)),
                (SELECT COUNT(*) FROM task_jobs j WHERE j.task_id=t.id AND j.state=2),
                (SELECT COUNT(*) FROM task_jobs j WHERE j.task_id=t.id AND j.state=3),
                (SELECT COUNT(*) FROM task_jobs j WHERE j.task_id=t.id AND j.state=4),
                (SELECT COUNT(*) FROM task_attempts a WHERE a.task_id=t.id AND a.state=1)
            FROM tasks t WHERE t.state IN (2,3,5)
            """, transaction: tx)).AsList();
        var changed = 0;
        foreach (var r in rows)
        {
            if (TaskTransitions.IsExhausted(r.Failed, r.MaxFailed))
            {
                await c.ExecuteAsync("UPDATE task_jobs SET state=4, error='task exhausted', updated_at=@now WHERE task_id=@Id AND state IN (0,1)", new { now, r.Id }, tx);
                await c.ExecuteAsync("UPDATE tasks SET error=@error WHERE id=@Id", new { error = $"{r.Failed} jobs failed, more than the {r.MaxFailed} tolerated", r.Id }, tx);
                changed += await SetState(c, tx, r.Id, TaskState.Exhausted, now);
                continue;
            }
            if (r.Active > 0 || r.Attempts > 0) continue;
            changed += await SetState(c, tx, r.Id, TaskTransitions.Outcome(r.Finished, r.Failed, r.Cancelled), now);
        }
        return changed;
    });

    private static Task<int> SetState(DbConnection c, DbTransaction tx, long id, TaskState state, DateTimeOffset now) =>
        c.ExecuteAsync("UPDATE tasks SET state=@state, updated_at=@now, ended_at=@ended WHERE id=@id",
            new { state, now, ended = state.IsFinal() ? now : (DateTimeOffset?)null, id }, tx);
}
