using System.Diagnostics;
using Ferry.Catalog.Tasks;

namespace Ferry.Engine.Tasks;

/// <summary>
/// Runs attempts as Slurm batch jobs (sbatch, squeue, scontrol/sacct, scancel). A job's name is fixed by
/// (server, task, job, attempt), and an attempt that may already have been submitted is looked up by that name
/// first, so the same work is never queued twice. The work directory must be visible to the nodes (single node here).
/// </summary>
public sealed class SlurmExecutor(TaskOptions options) : IJobExecutor
{
    private static readonly HashSet<string> Active = ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING", "STAGE_OUT"];

    public string Name => "slurm";

    private string Prefix => $"ferry-{options.InstanceTag}-";

    public string JobName(AttemptRecord a) => $"{Prefix}{a.TaskId}-{a.Job}-{a.Attempt}";

    /// <summary>The throttle counts what the queue holds for this server, whoever submitted it.</summary>
    public async Task<int> CapacityAsync(int active, CancellationToken ct) =>
        options.SlurmMaxQueued - Math.Max(active, (await QueueAsync(ct)).Count);

    public async Task<string> SubmitAsync(AttemptRecord a, int? ramMb, bool mayExist, CancellationToken ct)
    {
        if (mayExist)
        {
            var queued = (await QueueAsync(ct)).Values.FirstOrDefault(j => j.Name == JobName(a));
            if (queued is not null) return queued.Id;
            if (AttemptFiles.ReadExit(a.WorkDir) is not null) return "exited";
        }
        var args = new List<string> { "--parsable", "--job-name", JobName(a), "--chdir", a.WorkDir, "--output", Path.Combine(a.WorkDir, "slurm.out"), "--ntasks", "1" };
        if (ramMb is { } mb) args.AddRange(["--mem", $"{mb}M"]);
        args.Add(AttemptFiles.Wrapper(a.WorkDir));
        var (code, stdout, stderr) = await RunAsync("sbatch", args, ct);
        if (code != 0) throw new IOException($"sbatch failed ({code}): {stderr.Trim()}");
        return stdout.Trim().Split(';')[0];
    }

    public async Task<IReadOnlyDictionary<AttemptRecord, JobProbe>> PollAsync(IReadOnlyList<AttemptRecord> attempts, CancellationToken ct)
    {
        var result = new Dictionary<AttemptRecord, JobProbe>();
        if (attempts.Count == 0) return result;
        var queue = await QueueAsync(ct);
        foreach (var a in attempts)
        {
            if (a.ExternalId is { } id && queue.TryGetValue(id, out var q) && Active.Contains(q.State)) { result[a] = new JobProbe.Running(); continue; }
            if (AttemptFiles.ReadExit(a.WorkDir) is { } code) { result[a] = new JobProbe.Exited(code); continue; }
            var state = a.ExternalId is { } jid ? await FinalStateAsync(jid, ct) : null;
            // Ended without the wrapper's exit code: node failure, time limit, cancelled outside Ferry, or unknown to Slurm.
            result[a] = state is not null && Active.Contains(state) ? new JobProbe.Running()
                : AttemptFiles.ReadExit(a.WorkDir) is { } late ? new JobProbe.Exited(late)
                : new JobProbe.Lost(state is null ? $"Slurm no longer knows job {a.ExternalId}" : $"Slurm job {a.ExternalId} ended {state} without an exit code");
        }
        return result;
    }

    public async Task CancelAsync(AttemptRecord a, CancellationToken ct)
    {
        if (a.ExternalId is { } id && id.All(char.IsAsciiDigit)) await RunAsync("scancel", [id], ct);
        else await RunAsync("scancel", ["--name", JobName(a)], ct);
    }

    private sealed record QueuedJob(string Id, string Name, string State);

    /// <summary>This server's jobs in the queue, by job id.</summary>
    private async Task<Dictionary<string, QueuedJob>> QueueAsync(CancellationToken ct)
    {
        var (code, stdout, stderr) = await RunAsync("squeue", ["-h", "-o", "%i|%j|%T"], ct);
        if (code != 0) throw new IOException($"squeue failed ({code}): {stderr.Trim()}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).Where(p => p.Length == 3 && p[1].StartsWith(Prefix, StringComparison.Ordinal))
            .Select(p => new QueuedJob(p[0], p[1], p[2])).ToDictionary(j => j.Id);
    }

    /// <summary>The controller remembers ended jobs for MinJobAge; clusters with accounting answer sacct for longer.</summary>
    private async Task<string?> FinalStateAsync(string id, CancellationToken ct)
    {
        var (code, stdout, _) = await RunAsync("scontrol", ["-o", "show", "job", id], ct);
        if (code == 0 && stdout.Split(' ').FirstOrDefault(w => w.StartsWith("JobState=", StringComparison.Ordinal)) is { } s) return s["JobState=".Length..];
        var (acode, aout, _) = await RunAsync("sacct", ["-n", "-X", "-P", "-j", id, "--format=State"], ct);
        return acode == 0 && aout.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is { } st ? st.Split(' ')[0].Trim() : null;
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string tool, IEnumerable<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["SLURM_CONF"] = options.SlurmConf;
        using var p = Process.Start(psi) ?? throw new IOException($"could not start {tool}");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try { await p.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            p.Kill(true);
            throw new IOException($"{tool} did not answer within 30 s");
        }
        return (p.ExitCode, await stdout, await stderr);
    }
}
