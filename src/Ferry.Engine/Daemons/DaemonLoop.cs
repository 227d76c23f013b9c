using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ferry.Engine.Daemons;

/// <summary>
/// A daemon is a loop: do one round of work, and sleep only when the round found nothing to do, so a backlog drains at
/// full speed and an idle server uses no CPU. A failing round is logged and retried after the idle interval.
/// </summary>
public abstract class DaemonLoop(TimeProvider clock, ILogger logger, TimeSpan idle) : BackgroundService
{
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected TimeProvider Clock { get; } = clock;
    protected ILogger Logger { get; } = logger;

    /// <summary>
    /// Ends the current idle sleep (or the next one, if a round is running), for work that announces itself — a job
    /// process that exited — so that it is handled now rather than after the idle interval.
    /// </summary>
    protected void Wake() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>Returns how many items it handled; 0 means "nothing to do, sleep".</summary>
    protected abstract Task<int> RoundAsync(CancellationToken ct);

    protected virtual Task StartupAsync(CancellationToken ct) => Task.CompletedTask;

    protected sealed override async Task ExecuteAsync(CancellationToken ct)
    {
        await Task.Yield();
        try { await StartupAsync(ct); }
        catch (Exception e) when (!ct.IsCancellationRequested) { Logger.LogError(e, "{Daemon} failed to start", GetType().Name); }
        while (!ct.IsCancellationRequested)
        {
            int done;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                done = await RoundAsync(ct);
                Telemetry.EngineMetrics.RecordRound(GetType().Name, started, done, failed: false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                Logger.LogError(e, "{Daemon} round failed", GetType().Name);
                Telemetry.EngineMetrics.RecordRound(GetType().Name, started, 0, failed: true);
                done = 0;
            }
            if (done == 0)
            {
                var wake = Volatile.Read(ref _wake);
                using var sleep = CancellationTokenSource.CreateLinkedTokenSource(ct);
                await Task.WhenAny(Task.Delay(idle, Clock, sleep.Token), wake.Task);
                await sleep.CancelAsync();
                if (ct.IsCancellationRequested) return;
                if (wake.Task.IsCompleted) Interlocked.CompareExchange(ref _wake, new(TaskCreationOptions.RunContinuationsAsynchronously), wake);
            }
        }
    }
}
