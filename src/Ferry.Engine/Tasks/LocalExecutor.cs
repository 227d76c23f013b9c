using System.Diagnostics;
using System.Runtime.InteropServices;
using Ferry.Catalog.Tasks;

namespace Ferry.Engine.Tasks;

/// <summary>
/// Runs attempts as processes of this machine, each in its own session (setsid) so that they outlive a killed
/// server; a restarted server recognises them by pid and command line and waits for them instead of starting them again.
/// </summary>
public sealed class LocalExecutor(TaskOptions options) : IJobExecutor
{
    public string Name => "local";

    /// <summary>Raised when an attempt's process started here exits, so the runner collects it without waiting a round.</summary>
    public event Action? AttemptEnded;

    // Processes started here and not yet ended. Between fork and exec a child's /proc cmdline is still this server's,
    // so a poll in that window would find "no wrapper running and no exit code" and call a healthy attempt lost.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> _started = new();

    public Task<int> CapacityAsync(int active, CancellationToken ct) => Task.FromResult(options.LocalSlots - active);

    public Task<string> SubmitAsync(AttemptRecord a, int? ramMb, bool mayExist, CancellationToken ct)
    {
        if (mayExist && (AttemptFiles.ReadExit(a.WorkDir) is not null || FindRunning(a.WorkDir) is not null))
            return Task.FromResult(FindRunning(a.WorkDir)?.ToString() ?? "exited");
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false, WorkingDirectory = a.WorkDir };
        psi.ArgumentList.Add("bash");
        psi.ArgumentList.Add(AttemptFiles.Wrapper(a.WorkDir));
        // setsid (not a group leader here) execs bash in place, so this process's exit is the wrapper's.
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var pid = 0;
        var ended = false;
        p.Exited += (_, _) => { Volatile.Write(ref ended, true); _started.TryRemove(pid, out _); AttemptEnded?.Invoke(); p.Dispose(); };
        if (!p.Start()) throw new IOException("could not start setsid bash");
        pid = p.Id;
        _started[pid] = 0;
        // Exited may have run before the line above; then nobody else would remove the entry.
        if (Volatile.Read(ref ended)) _started.TryRemove(pid, out _);
        return Task.FromResult(pid.ToString());
    }

    public Task<IReadOnlyDictionary<AttemptRecord, JobProbe>> PollAsync(IReadOnlyList<AttemptRecord> attempts, CancellationToken ct)
    {
        var result = new Dictionary<AttemptRecord, JobProbe>();
        foreach (var a in attempts)
        {
            if (AttemptFiles.ReadExit(a.WorkDir) is { } code) { result[a] = new JobProbe.Exited(code); continue; }
            if (Alive(a)) { result[a] = new JobProbe.Running(); continue; }
            // The wrapper records the exit code before it ends: look again in case it ended just now.
            result[a] = AttemptFiles.ReadExit(a.WorkDir) is { } late ? new JobProbe.Exited(late)
                : new JobProbe.Lost("the job's process ended without recording an exit code (killed?)");
        }
        return Task.FromResult<IReadOnlyDictionary<AttemptRecord, JobProbe>>(result);
    }

    public Task CancelAsync(AttemptRecord a, CancellationToken ct)
    {
        if (int.TryParse(a.ExternalId, out var pid) && IsOurs(pid, a.WorkDir))
        {
            // The wrapper leads its own process group: the whole group goes, the command's children with it.
            _ = Kill(-pid, 9);
            _ = Kill(pid, 9);
        }
        return Task.CompletedTask;
    }

    private bool Alive(AttemptRecord a) =>
        int.TryParse(a.ExternalId, out var pid) && (_started.ContainsKey(pid) || IsOurs(pid, a.WorkDir)) || FindRunning(a.WorkDir) is not null;

    /// <summary>The wrapper's pid when it runs: from its pid file, or (started but not yet written) by its command line.</summary>
    private static int? FindRunning(string dir)
    {
        if (File.Exists(AttemptFiles.Pid(dir)) && int.TryParse(File.ReadAllText(AttemptFiles.Pid(dir)).Trim(), out var pid) && IsOurs(pid, dir)) return pid;
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(proc), out var p) && IsOurs(p, dir)) return p;
        return null;
    }

    /// <summary>A pid is the attempt's only while its command line names the attempt's wrapper (pids are reused).</summary>
    private static bool IsOurs(int pid, string dir)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Contains(AttemptFiles.Wrapper(dir) + "\0", StringComparison.Ordinal); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
