using System.Text.Json;
using Ferry.Core.Selection;

namespace Ferry.Client.Data;

/// <summary>The JSON-lines journal of a submitted `ferry data` action: one line per item, flushed a page at a time.</summary>
public sealed class DataJournal(string? path, string verb, TimeProvider clock) : IAsyncDisposable
{
    private readonly StreamWriter? _writer = path is null ? null : new StreamWriter(path, append: true);

    public async Task WriteAsync(IReadOnlyList<DataResult> results)
    {
        if (_writer is null) return;
        var at = clock.GetUtcNow().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var r in results)
            await _writer.WriteLineAsync(JsonSerializer.Serialize(new
            {
                at, verb, did = $"{r.Scope}:{r.Name}", rule_id = r.RuleId, outcome = r.Outcome, reason = r.Reason,
                rse_expression = r.RseExpression, expires_before = r.ExpiresBefore, expires_after = r.ExpiresAfter,
            }));
        await _writer.FlushAsync();
    }

    public ValueTask DisposeAsync() => _writer?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>The --summary file and the exit code: 0 when nothing failed, 3 when some items failed, 1 when all did.</summary>
public sealed record DataSummary(string Verb, bool Submitted, int Items, IReadOnlyDictionary<string, int> Outcomes, int ExitCode, string StartedAt, string FinishedAt)
{
    public static DataSummary Of(string verb, bool submitted, IReadOnlyList<DataResult> results, DateTimeOffset started, DateTimeOffset finished)
    {
        var counts = results.GroupBy(r => r.Outcome).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var failed = results.Count(r => DataOutcome.IsFailure(r.Outcome));
        var exit = failed == 0 ? 0 : failed == results.Count ? 1 : 3;
        return new DataSummary(verb, submitted, results.Count, counts, exit, Iso(started), Iso(finished));
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public Task WriteAsync(string path) => File.WriteAllTextAsync(path, JsonSerializer.Serialize(this, Http.Json.Options));
}
