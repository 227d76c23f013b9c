using System.Diagnostics;
using System.Text;

namespace Ferry.Functional.Tests.Infrastructure;

/// <summary>A real `ferry worker --daemons …` process sharing a server's catalogue (and data directory, for credentials).</summary>
public sealed class FerryWorker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public string Log { get { lock (_log) return _log.ToString(); } }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    private FerryWorker(FerryServer server, string daemons, IReadOnlyDictionary<string, string>? environment)
    {
        var psi = Cli.StartInfo(["worker", "--daemons", daemons], server.Home);
        if (server.Database is not null) psi.Environment["FERRY_DATABASE"] = server.Database;
        foreach (var (k, v) in server.Environment) psi.Environment[k] = v;
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        _process = ChildProcess.Start(psi, _log);
    }

    public static FerryWorker Start(FerryServer server, string daemons, IReadOnlyDictionary<string, string>? environment = null) => new(server, daemons, environment);

    /// <summary>Waits until the worker logged that it runs (its catalogue is open and migrated).</summary>
    public async Task WaitStartedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Log.Contains("Ferry worker", StringComparison.Ordinal))
        {
            if (_process.HasExited) throw new InvalidOperationException($"ferry worker exited with {_process.ExitCode}:\n{Log}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"ferry worker did not start in {timeout}:\n{Log}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, its leases stay in the catalogue until they run out.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
