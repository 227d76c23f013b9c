using System.Security.Cryptography;
using System.Text;
using Ferry.Core.Configuration;

namespace Ferry.Engine.Tasks;

/// <summary>Where jobs run and how eagerly. Slurm is configured only when FERRY_SLURM_CONF names a slurm.conf.</summary>
public sealed record TaskOptions
{
    /// <summary>Work directories, one per attempt: WorkRoot/TASK/JOB/ATTEMPT (script, stdout, stderr, exit code, outputs).</summary>
    public required string WorkRoot { get; init; }
    /// <summary>Tells this catalogue's Slurm jobs apart from another server's on the same cluster.</summary>
    public required string InstanceTag { get; init; }
    public TimeSpan Idle { get; init; } = TimeSpan.FromMilliseconds(250);
    public int LocalSlots { get; init; } = Math.Max(2, Environment.ProcessorCount);
    public string? SlurmConf { get; init; }
    /// <summary>Jobs of this server pending or running in Slurm at most (the queue-length throttle).</summary>
    public int SlurmMaxQueued { get; init; } = 20;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Outputs uploaded at once, across jobs.</summary>
    public int CollectParallelism { get; init; } = 4;

    public IReadOnlyList<string> Executors => SlurmConf is null ? ["local"] : ["local", "slurm"];

    public string WorkDir(long task, int job, int attempt) => Path.Combine(WorkRoot, task.ToString(), job.ToString("D5"), attempt.ToString());

    /// <summary>
    /// Defaults, overridden by FERRY_TASK_SLOTS, FERRY_SLURM_CONF, FERRY_SLURM_MAX_QUEUED and FERRY_TASK_RETRY_SECONDS
    /// (of the process's environment unless a caller gives another).
    /// </summary>
    public static TaskOptions ForHome(string home, FerryEnvironment? env = null)
    {
        env ??= FerryEnvironment.Process;
        var o = new TaskOptions
        {
            WorkRoot = Path.Combine(home, "tasks"),
            InstanceTag = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(home))))[..8],
            SlurmConf = env.Get("FERRY_SLURM_CONF"),
        };
        return o with
        {
            LocalSlots = env.Int("FERRY_TASK_SLOTS", o.LocalSlots),
            SlurmMaxQueued = env.Int("FERRY_SLURM_MAX_QUEUED", o.SlurmMaxQueued),
            RetryDelay = env.Seconds("FERRY_TASK_RETRY_SECONDS", o.RetryDelay, min: 0),
        };
    }
}
