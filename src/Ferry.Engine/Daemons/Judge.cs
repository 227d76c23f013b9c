using Ferry.Catalog.Rules;
using Microsoft.Extensions.Logging;

namespace Ferry.Engine.Daemons;

/// <summary>Re-applies rules whose DID changed (evaluator) and removes expired ones (cleaner).</summary>
public sealed class Judge(RuleCatalog rules, EngineOptions options, TimeProvider clock, ILogger<Judge> logger)
    : DaemonLoop(clock, logger, options.JudgeIdle)
{
    protected override async Task<int> RoundAsync(CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var evaluated = await rules.EvaluatePendingAsync(100);
        if (evaluated > 0) Logger.LogInformation("Evaluated {Count} rule(s) in {Ms:F0} ms", evaluated, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var expired = await rules.RemoveExpiredAsync(100);
        if (expired > 0) Logger.LogInformation("Removed {Count} expired rule(s)", expired);
        return evaluated + expired;
    }
}
