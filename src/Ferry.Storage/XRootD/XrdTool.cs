using System.Diagnostics;

namespace Ferry.Storage.XRootD;

/// <summary>
/// Runs the XRootD command-line client (Debian's xrootd-client: xrdfs, xrdcp). No .NET XRootD client exists, and
/// these tools are what sites themselves use, with the same timeouts and error texts.
/// </summary>
internal static class XrdTool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static ProcessStartInfo StartInfo(string tool, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Bounded waits instead of the client's default of many minutes on a dead server.
        psi.Environment["XRD_CONNECTIONWINDOW"] = "10";
        psi.Environment["XRD_CONNECTIONRETRY"] = "2";
        psi.Environment["XRD_REQUESTTIMEOUT"] = "120";
        psi.Environment["XRD_STREAMTIMEOUT"] = "60";
        return psi;
    }

    public static Process Start(string tool, IEnumerable<string> args)
    {
        try { return Process.Start(StartInfo(tool, args)) ?? throw new StorageException($"could not start {tool}", permanent: true); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new StorageException($"{tool} is not installed (Debian package xrootd-client)", permanent: true, e);
        }
    }

    public static async Task<Result> RunAsync(string tool, IEnumerable<string> args, CancellationToken ct)
    {
        using var p = Start(tool, args);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        try { await p.WaitForExitAsync(ct); }
        catch (OperationCanceledException) { Kill(p); throw; }
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    public static void Kill(Process p)
    {
        try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    public static bool IsNotFound(Result r) => r.Stderr.Contains("No such file", StringComparison.OrdinalIgnoreCase) || r.Stderr.Contains("[3011]", StringComparison.Ordinal);

    public static StorageException Error(string op, string target, string stderr)
    {
        var line = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "failed";
        var permanent = line.Contains("[3010]", StringComparison.Ordinal) || line.Contains("Permission denied", StringComparison.OrdinalIgnoreCase)
                        || line.Contains("[3011]", StringComparison.Ordinal) || line.Contains("not authorized", StringComparison.OrdinalIgnoreCase);
        return new StorageException($"XRootD {op} {target}: {line}", permanent);
    }
}
