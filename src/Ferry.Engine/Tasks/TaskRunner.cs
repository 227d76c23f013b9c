using System.Collections.Concurrent;
using System.Text.Json;
using Ferry.Catalog.Rules;
using Ferry.Catalog.Tasks;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Rules;
using Ferry.Core.Tasks;
using Ferry.Engine.Application;
using Ferry.Engine.Application.Rules;
using Ferry.Engine.Daemons;
using Microsoft.Extensions.Logging;

namespace Ferry.Engine.Tasks;

/// <summary>
/// The task daemon. Each round: split newly registered tasks into jobs (with the output dataset and its rule),
/// watch the attempts that run (cancel those whose job was cancelled, collect those that ended), claim and submit
/// new attempts up to each executor's capacity, and end tasks with nothing left to run. Everything it knows is in
/// the catalogue and the attempts' work directories, so a restart carries on where a killed server stopped.
/// </summary>
public sealed class TaskRunner(TaskQueue queue, RuleCatalog rules, RuleRequests ruleRequests, JobFiles files, TaskOptions options, IEnumerable<IJobExecutor> executors,
    TimeProvider clock, ILogger<TaskRunner> logger) : DaemonLoop(clock, logger, options.Idle)
{
    // Attempts this process claimed itself; any other unsubmitted attempt was left by a previous process and may already run.
    private readonly ConcurrentDictionary<(long, int, int), bool> _claimedHere = new();
    private readonly IReadOnlyList<IJobExecutor> _executors = executors.ToList();

    protected override Task StartupAsync(CancellationToken ct)
    {
        foreach (var local in _executors.OfType<LocalExecutor>()) local.AttemptEnded += Wake;
        return Task.CompletedTask;
    }

    protected override async Task<int> RoundAsync(CancellationToken ct)
    {
        var done = await DefineAsync(ct);
        foreach (var executor in _executors) done += await DriveAsync(executor, ct);
        return done + await queue.FinalizeAsync();
    }

    private async Task<int> DefineAsync(CancellationToken ct)
    {
        var registered = await queue.RegisteredAsync(10);
        foreach (var t in registered)
        {
            try
            {
                await queue.DefineAsync(t.Id);
                var inputs = await queue.InputFilesAsync(t);
                if (inputs.Count == 0) { await queue.BreakAsync(t.Id, $"the input {t.InputScope}:{t.InputName} has no files"); continue; }
                var jobs = JobSplitter.Split(inputs.Select(f => new SplitFile(f.Scope, f.Name, f.Bytes ?? 0)), new SplitRule(t.FilesPerJob, t.BytesPerJob));
                var ruleId = await OutputRuleAsync(t);
                await queue.ReadyAsync(t.Id, jobs, ruleId);
                Logger.LogInformation("Task {Id} ({Name}): {Jobs} jobs over {Files} files", t.Id, t.Name, jobs.Count, inputs.Count);
            }
            catch (FerryException e)
            {
                Logger.LogWarning("Task {Id} is broken: {Error}", t.Id, e.Message);
                await queue.BreakAsync(t.Id, e.Message);
            }
        }
        return registered.Count;
    }

    /// <summary>One rule keeps the outputs on the output RSE; a restart finds the rule it made before recording it.</summary>
    private async Task<string> OutputRuleAsync(TaskRecord t)
    {
        var existing = (await rules.ListAsync(new RuleFilter(t.Account, t.OutputScope, t.OutputDataset))).FirstOrDefault(r => r.RseExpression == t.OutputRse);
        if (existing is not null) return existing.Id;
        // Made as the task's account would make it (never as an admin): the same permission and spec checks as POST /rules/.
        return (await ruleRequests.AddAsync(new Caller(t.Account, IsAdmin: false), new RuleSpec
        {
            Dids = [(t.OutputScope, t.OutputDataset)], Account = t.Account, RseExpression = t.OutputRse, Grouping = RuleGrouping.Dataset,
            Comment = $"outputs of task {t.Id}", IgnoreAvailability = false,
        }))[0];
    }

    private async Task<int> DriveAsync(IJobExecutor executor, CancellationToken ct)
    {
        var active = await queue.ActiveAsync(executor.Name);
        var work = 0;
        var stale = active.Where(x => x.Job.State != JobState.Running || x.Job.Attempt != x.Attempt.Attempt).ToList();
        foreach (var x in stale)
        {
            if (x.Attempt.ExternalId is not null) await executor.CancelAsync(x.Attempt, ct);
            await queue.CancelledAsync(x.Attempt);
            work++;
        }
        var live = active.Except(stale).ToList();
        foreach (var x in live.Where(x => x.Attempt.ExternalId is null))
        {
            await SubmitAsync(executor, x, mayExist: !_claimedHere.ContainsKey(Key(x.Attempt)), ct);
            work++;
        }
        var submitted = live.Where(x => x.Attempt.ExternalId is not null).ToList();
        var probes = await executor.PollAsync(submitted.Select(x => x.Attempt).ToList(), ct);
        var ended = submitted.Where(x => probes.TryGetValue(x.Attempt, out var p) && p is not JobProbe.Running).ToList();
        await Parallel.ForEachAsync(ended, new ParallelOptions { MaxDegreeOfParallelism = options.CollectParallelism, CancellationToken = ct },
            async (x, token) => await CollectAsync(x, probes[x.Attempt], token));
        work += ended.Count;

        var capacity = await executor.CapacityAsync(live.Count - ended.Count, ct);
        var claimed = await queue.ClaimAsync(executor.Name, Math.Min(capacity, 100), options.WorkDir);
        foreach (var x in claimed)
        {
            _claimedHere[Key(x.Attempt)] = true;
            await SubmitAsync(executor, x, mayExist: false, ct);
        }
        return work + claimed.Count;
    }

    private static (long, int, int) Key(AttemptRecord a) => (a.TaskId, a.Job, a.Attempt);

    private async Task SubmitAsync(IJobExecutor executor, ActiveAttempt x, bool mayExist, CancellationToken ct)
    {
        var a = x.Attempt;
        try
        {
            if (!mayExist || !File.Exists(AttemptFiles.Wrapper(a.WorkDir)))
            {
                mayExist = false;
                Directory.CreateDirectory(a.WorkDir);
                var inputs = await files.InputsAsync(x.Task, await queue.JobFilesAsync(a.TaskId, a.Job), a.WorkDir, ct);
                AttemptFiles.Write(a.WorkDir, CommandTemplate.Render(x.Task.Template, inputs, AttemptFiles.Outputs(a.WorkDir), a.Job));
            }
            var id = await executor.SubmitAsync(a, RamMb(x.Task), mayExist, ct);
            await queue.MarkSubmittedAsync(a, id);
        }
        catch (Exception e) when (e is IOException or FerryException or UnauthorizedAccessException && !ct.IsCancellationRequested)
        {
            Logger.LogWarning("Task {Task} job {Job} attempt {Attempt} could not start: {Error}", a.TaskId, a.Job, a.Attempt, e.Message);
            await File.AppendAllTextAsync(AttemptFiles.Stderr(a.WorkDir), $"ferry: the job could not start: {e.Message}\n", ct);
            await queue.FailAsync(x.Task, a, null, $"could not start: {e.Message}", options.RetryDelay);
        }
    }

    private async Task CollectAsync(ActiveAttempt x, JobProbe probe, CancellationToken ct)
    {
        var a = x.Attempt;
        switch (probe)
        {
            case JobProbe.Exited { Code: 0 }:
                try
                {
                    var outputs = await files.UploadOutputsAsync(x.Task, a, ct);
                    if (await queue.CompleteAsync(x.Task, a, outputs)) CleanUp(a.WorkDir);
                }
                catch (Exception e) when (e is IOException or FerryException && !ct.IsCancellationRequested)
                {
                    Logger.LogWarning("Task {Task} job {Job}: outputs not registered: {Error}", a.TaskId, a.Job, e.Message);
                    await File.AppendAllTextAsync(AttemptFiles.Stderr(a.WorkDir), $"ferry: the outputs could not be registered: {e.Message}\n", ct);
                    await queue.FailAsync(x.Task, a, 0, $"outputs not registered: {e.Message}", options.RetryDelay);
                }
                break;
            case JobProbe.Exited e:
                await queue.FailAsync(x.Task, a, e.Code, $"the command exited with {e.Code}", options.RetryDelay);
                break;
            case JobProbe.Lost l:
                Logger.LogWarning("Task {Task} job {Job} attempt {Attempt} lost: {Reason}", a.TaskId, a.Job, a.Attempt, l.Reason);
                await queue.FailAsync(x.Task, a, null, l.Reason, options.RetryDelay);
                break;
        }
    }

    /// <summary>Outputs are on the RSE and staged inputs are copies: only the script and the logs stay.</summary>
    private static void CleanUp(string dir)
    {
        foreach (var d in new[] { AttemptFiles.Outputs(dir), AttemptFiles.Inputs(dir) })
            if (Directory.Exists(d)) Directory.Delete(d, recursive: true);
    }

    private static int? RamMb(TaskRecord t)
    {
        using var doc = JsonDocument.Parse(t.Params);
        return doc.RootElement.TryGetProperty("ramCount", out var r) && r.TryGetInt32(out var mb) ? mb : null;
    }
}
