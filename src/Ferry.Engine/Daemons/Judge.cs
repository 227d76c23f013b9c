using Ferry.Catalog.Rules;
using Microsoft.Extensions.Logging;

namespace Ferry.Engine.Daemons;

/// <summary>
/// Re-applies rules whose DID changed (evaluator), removes expired ones (cleaner), finishes moves, and gives stuck
/// rules another try after a while (repairer).
/// </summary>
public sealed class Judge(RuleCatalog rules, EngineOptions options, TimeProvider clock, ILogger<Judge> logger)
    : DaemonLoop(clock, logger, options.JudgeIdle)
{
    private DateTimeOffset _lastRepair = DateTimeOffset.MinValue;

    protected override async Task<int> RoundAsync(CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var evaluated = await rules.EvaluatePendingAsync(100);
        if (evaluated > 0) Logger.LogInformation("Evaluated {Count} rule(s) in {Ms:F0} ms", evaluated, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var expired = await rules.RemoveExpiredAsync(100);
        if (expired > 0) Logger.LogInformation("Removed {Count} expired rule(s)", expired);
        var moved = await rules.FinishMovesAsync();
        if (moved > 0) Logger.LogInformation("Finished {Count} rule move(s)", moved);
        if (Clock.GetUtcNow() - _lastRepair >= options.StuckRetryAfter / 4)
        {
            _lastRepair = Clock.GetUtcNow();
            var repaired = await rules.RepairStuckAsync(options.StuckRetryAfter);
            if (repaired > 0) Logger.LogInformation("Retrying {Count} stuck rule(s)", repaired);
        }
        return evaluated + expired + moved;
    }
}
