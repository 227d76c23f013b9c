using Ferry.Core.Configuration;
using Ferry.Engine;
using Ferry.Server.Hosting;
using Ferry.Server.Security;

namespace Ferry.Functional.Tests.Infrastructure;

/// <summary>
/// A server inside the test process, for tests that must move its clock (a FakeTimeProvider) or seed its chance. It
/// listens on 127.0.0.1 like the process one and is talked to over HTTP the same way (the CLI and the agent still run
/// as processes against it). Its settings are its own dictionary, not the test process's environment.
/// </summary>
public sealed partial class FerryServer
{
    private CancellationTokenSource? _inProcessStop;
    private Task? _inProcess;

    public static async Task<FerryServer> StartInProcessAsync(TimeProvider clock, Random random)
    {
        var server = new FerryServer(TempDirs.Create("home"), FreePort());
        var values = new Dictionary<string, string?> { ["FERRY_HOME"] = server.Home, ["FERRY_ROOT_PASSWORD"] = RootPassword, ["FERRY_DATABASE"] = server.Database };
        var settings = new FerryEnvironment(values);
        var options = new ServerOptions(server.Home, $"127.0.0.1:{server.Port}")
        {
            Environment = settings, Engine = EngineOptions.FromEnvironment(settings), Security = SecurityOptions.FromEnvironment(null, settings.Get),
            Clock = clock, Random = random,
        };
        server._inProcessStop = new CancellationTokenSource();
        server._inProcess = Task.Run(() => FerryServerHost.RunAsync(options, server._inProcessStop.Token));
        using var http = new HttpClient();
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60); ; await Task.Delay(100))
        {
            // A host that failed to start says why, instead of a wait that runs out.
            if (server._inProcess.IsFaulted) await server._inProcess;
            try { if ((await http.GetAsync($"{server.Url}/ping")).IsSuccessStatusCode) return server; }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline) { }
            if (DateTime.UtcNow >= deadline) throw new TimeoutException($"the in-process server on {server.Url} did not answer in 60s");
        }
    }

    /// <summary>Stops an in-process server and waits for it; false when this server is a process.</summary>
    private bool StopInProcess() => StopInProcessAsync().GetAwaiter().GetResult();

    private async Task<bool> StopInProcessAsync()
    {
        if (_inProcess is null) return false;
        await _inProcessStop!.CancelAsync();
        try { await _inProcess; }
        catch (OperationCanceledException) { }
        _inProcessStop.Dispose();
        _inProcess = null;
        return true;
    }
}
