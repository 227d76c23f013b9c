using Ferry.Core.Configuration;

namespace Ferry.Transfer;

/// <summary>Files and bytes finished so far, for progress bars.</summary>
public readonly record struct TransferProgress(int Files, long Bytes);

/// <summary>Phase timings on stderr when FERRY_TIMING=1; how the upload benchmark finds where time goes.</summary>
internal sealed class PhaseTimer
{
    private readonly System.Diagnostics.Stopwatch _sw = System.Diagnostics.Stopwatch.StartNew();
    private readonly List<string> _marks = [];
    private readonly bool _on = FerryEnvironment.Process.Flag("FERRY_TIMING");

    public void Mark(string phase)
    {
        if (!_on) return;
        lock (_marks) _marks.Add($"{phase}={_sw.Elapsed.TotalSeconds:F2}s");
        _sw.Restart();
    }

    /// <summary>Time spent in a step that runs beside others (summed over its calls).</summary>
    public void Add(string step, TimeSpan elapsed)
    {
        if (!_on) return;
        lock (_marks) _sums[step] = _sums.GetValueOrDefault(step) + elapsed.TotalSeconds;
    }

    private readonly Dictionary<string, double> _sums = [];

    public void Report()
    {
        if (_on) Console.Error.WriteLine("timing: " + string.Join(' ', _marks) + (_sums.Count == 0 ? "" : " | inside: " + string.Join(' ', _sums.Select(s => $"{s.Key}={s.Value:F2}s"))));
    }
}
