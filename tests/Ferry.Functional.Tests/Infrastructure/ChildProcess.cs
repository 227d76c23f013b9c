using System.Diagnostics;
using System.Text;

namespace Ferry.Functional.Tests.Infrastructure;

/// <summary>A `ferry` process of a test: its output kept for failure messages, and a wait until it answers over HTTP.</summary>
public static class ChildProcess
{
    public static Process Start(ProcessStartInfo psi, StringBuilder log)
    {
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {string.Join(' ', psi.ArgumentList)}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Polls <paramref name="answers"/> every 100 ms for up to 60 s; the process exiting first is a failure.</summary>
    public static async Task WaitUntilAnswersAsync(Process process, string what, Func<Task<bool>> answers, Func<string> log)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"{what} exited with {process.ExitCode}:\n{log()}");
            try
            {
                if (await answers()) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{what} did not answer within 60 s:\n{log()}");
    }
}
