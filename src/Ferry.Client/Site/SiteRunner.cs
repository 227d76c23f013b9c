namespace Ferry.Client.Site;

/// <summary>
/// Runs the site's tasks, each in its own loop: a task that throws is logged and tried again at its next interval,
/// and never stops the others (the old per-site daemon died on any exception). Cancelling the token (SIGTERM) lets
/// the running rounds finish their HTTP call or be cancelled, then returns.
/// </summary>
public sealed class SiteRunner(IReadOnlyList<ISiteTask> tasks, TextWriter log, TimeProvider clock)
{
    /// <summary>Every task once, one after the other; returns how many failed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var failed = 0;
        foreach (var t in tasks)
            if (!await RoundAsync(t, ct)) failed++;
        return failed;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        Log("site", "start", $"tasks={string.Join(',', tasks.Select(t => t.Name))}");
        await Task.WhenAll(tasks.Select(t => LoopAsync(t, ct)));
        Log("site", "stop", "");
    }

    private async Task LoopAsync(ISiteTask task, CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            await RoundAsync(task, ct);
            try { await Task.Delay(task.Interval, clock, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task<bool> RoundAsync(ISiteTask task, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        try
        {
            var detail = await task.RunAsync(ct);
            Log(task.Name, "ok", $"ms={clock.GetElapsedTime(started).TotalMilliseconds:F0} {detail}");
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return true; }
        catch (Exception e)
        {
            Log(task.Name, "failed", $"ms={clock.GetElapsedTime(started).TotalMilliseconds:F0} error=\"{e.GetType().Name}: {e.Message.Replace('"', '\'')}\"");
            return false;
        }
    }

    // One line per event, key=value, so that a log shipper can parse it.
    private void Log(string task, string status, string detail)
    {
        lock (log) log.WriteLine($"{clock.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} task={task} status={status} {detail}".TrimEnd());
        log.Flush();
    }
}
