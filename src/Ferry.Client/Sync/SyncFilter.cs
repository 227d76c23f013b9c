using System.Text.RegularExpressions;
using Ferry.Core.Errors;

namespace Ferry.Client.Sync;

/// <summary>--select and --exclude: RSE names a sync takes (regular expressions, matched anywhere unless anchored).</summary>
public sealed class SyncFilter(string? select, string? exclude)
{
    private readonly Regex? _select = Compile(select, "--select");
    private readonly Regex? _exclude = Compile(exclude, "--exclude");

    public bool Takes(string rse) => (_select is null || _select.IsMatch(rse)) && (_exclude is null || !_exclude.IsMatch(rse));

    private static Regex? Compile(string? pattern, string option)
    {
        if (pattern is null) return null;
        try { return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)); }
        catch (ArgumentException e) { throw FerryException.Invalid($"{option} '{pattern}' is not a regular expression: {e.Message}"); }
    }
}

/// <summary>What a sync did or, in a dry run, would do: one line per change, plus what it refused and why.</summary>
public sealed class SyncReport
{
    public List<string> Changes { get; } = [];
    public List<string> Refused { get; } = [];
    public List<string> Notes { get; } = [];
    public bool DryRun { get; init; }

    public void Change(string line) => Changes.Add(line);
}

/// <summary>Retries a step of a sync on what may pass (a connection lost, 5xx), with backoff; other errors stop it at once.</summary>
public static class SyncRetry
{
    public static async Task RunAsync(Func<Task> step, CancellationToken ct, int attempts = 4)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { await step(); return; }
            catch (Exception e) when (attempt < attempts && Transient(e) && !ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (1 << attempt)), ct);
            }
        }
    }

    private static bool Transient(Exception e) =>
        e is HttpRequestException or TaskCanceledException or FerryException { Status: >= 500 };
}
