using System.Diagnostics;

namespace Ferry.Functional.Tests.Infrastructure;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs the real `ferry` executable (ferry.dll beside the tests) as a user would.</summary>
public static class Cli
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "ferry.dll");

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, string home, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["FERRY_HOME"] = home;
        psi.Environment["HOME"] = home;
        foreach (var k in new[] { "FERRY_URL", "FERRY_ACCOUNT", "FERRY_USERNAME", "FERRY_PASSWORD", "FERRY_TOKEN", "FERRY_CONFIG", "RUCIO_CONFIG" }) psi.Environment.Remove(k);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    /// <summary>Runs `ferry ARGS` against <paramref name="server"/> as root, the way the embedded default finds it.</summary>
    public static Task<CliResult> RunAsync(FerryServer server, params string[] args) =>
        RunAsync(args, server.Home, new Dictionary<string, string> { ["FERRY_URL"] = server.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword });

    public static async Task<CliResult> RunAsync(IEnumerable<string> args, string home, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        using var p = Process.Start(StartInfo(args, home, env))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            throw new TimeoutException($"ferry {string.Join(' ', args)} did not finish");
        }
        return new CliResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Like <see cref="RunAsync(FerryServer, string[])"/> but fails the test with the output when the exit code is not 0.</summary>
    public static async Task<string> OkAsync(FerryServer server, params string[] args)
    {
        var r = await RunAsync(server, args);
        Assert.True(r.ExitCode == 0, $"ferry {string.Join(' ', args)} exited {r.ExitCode}\nstdout: {r.Stdout}\nstderr: {r.Stderr}");
        return r.Stdout;
    }
}
