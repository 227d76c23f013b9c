namespace Ferry.Agent.Downloads;

/// <summary>
/// One rate for all downloads together: each block reserves its transfer time on a shared clock and waits until the
/// clock catches up. Up to one second of unused allowance can be spent at once, so short pauses do not lose bandwidth.
/// </summary>
public sealed class BandwidthLimiter(long bytesPerSecond, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly long _start = time.GetTimestamp();
    private double _reservedUntil;

    public async ValueTask PaceAsync(int bytes, CancellationToken ct)
    {
        double wait;
        lock (_lock)
        {
            var now = time.GetElapsedTime(_start).TotalSeconds;
            _reservedUntil = Math.Max(_reservedUntil, now - 1.0) + bytes / (double)bytesPerSecond;
            wait = _reservedUntil - now;
        }
        if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait), time, ct);
    }
}
