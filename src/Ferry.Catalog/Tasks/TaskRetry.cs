using System.Data.Common;
using System.Text.Json;
using Dapper;
using Ferry.Core.Tasks;

namespace Ferry.Catalog.Tasks;

/// <summary>
/// A retry runs the failed and cancelled jobs again with a fresh attempt budget. With nFiles their files are cut
/// into new jobs of that size (the old jobs' attempts and logs stay); cliParams, site and priority change the task.
/// </summary>
internal static class TaskRetry
{
    public static async Task<TaskState> Apply(DbConnection c, DbTransaction tx, TaskRecord task, IReadOnlyDictionary<string, JsonElement> p, DateTimeOffset now)
    {
        var id = task.Id;
        if (p.TryGetValue("nFiles", out var nFiles))
        {
            var redo = (await c.QueryAsync<JobFile>("""
                SELECT f.scope, f.name, f.bytes FROM task_job_files f JOIN task_jobs j ON j.task_id=f.task_id AND j.job=f.job
                WHERE f.task_id=@id AND j.state IN (3,4)
                """, new { id }, tx)).AsList();
            await c.ExecuteAsync("DELETE FROM task_jobs WHERE task_id=@id AND state IN (3,4)", new { id }, tx);
            var next = await c.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(job),0) FROM task_attempts WHERE task_id=@id", new { id }, tx);
            next = Math.Max(next, await c.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(job),0) FROM task_jobs WHERE task_id=@id", new { id }, tx));
            var groups = JobSplitter.Split(redo.Select(f => new SplitFile(f.Scope, f.Name, f.Bytes)), SplitRule.Of(nFiles.GetInt32(), null));
            await TaskQueue.InsertJobs(c, tx, id, next + 1, groups, now);
            await c.ExecuteAsync("UPDATE tasks SET files_per_job=@n, bytes_per_job=NULL WHERE id=@id", new { n = nFiles.GetInt32(), id }, tx);
        }
        else
        {
            await c.ExecuteAsync("""
                UPDATE task_jobs SET state=0, attempt_base=attempt, submitted=0, error=NULL, next_attempt_at=@now, updated_at=@now
                WHERE task_id=@id AND state IN (3,4)
                """, new { now, id }, tx);
        }
        await c.ExecuteAsync("""
            UPDATE tasks SET template=COALESCE(@template, template), executor=COALESCE(@site, executor), priority=COALESCE(@priority, priority),
                params=@params, error=NULL, hard_finish=0 WHERE id=@id
            """, new
        {
            template = p.TryGetValue("cliParams", out var cli) ? cli.GetString() : null,
            site = p.TryGetValue("site", out var site) ? site.GetString() : null,
            priority = p.TryGetValue("priority", out var pr) ? pr.GetInt32() : (int?)null,
            @params = TaskCatalog.MergeParams(task.Params, p), id,
        }, tx);
        return TaskState.Ready;
    }
}
