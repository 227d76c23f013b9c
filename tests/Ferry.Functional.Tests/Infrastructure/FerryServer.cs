using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Functional.Tests.Infrastructure;

/// <summary>
/// A real `ferry server` process on 127.0.0.1 with its own data directory. Tests talk to it over HTTP only.
/// It can be killed with SIGKILL and started again on the same directory and port.
/// </summary>
public sealed partial class FerryServer : IAsyncDisposable
{
    public const string RootPassword = "test-root-password";
    private Process? _process;
    private readonly StringBuilder _log = new();

    public string Home { get; }
    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public string Log { get { lock (_log) return _log.ToString(); } }

    private FerryServer(string home, int port)
    {
        Home = home;
        Port = port;
    }

    /// <summary>False: start like a new user would, with a random root password written to FERRY_HOME/root-password.</summary>
    public bool FixedRootPassword { get; init; } = true;

    /// <summary>The server's FERRY_DATABASE: its own PostgreSQL schema when the run is on PostgreSQL, else null (SQLite).</summary>
    public string? Database { get; init; } = TestStore.NewDatabase();

    /// <summary>Extra environment for the server process, e.g. shorter engine timings for a test.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra arguments of `ferry server`, e.g. --no-daemons.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public static async Task<FerryServer> StartAsync(bool fixedRootPassword = true, IReadOnlyDictionary<string, string>? environment = null,
        string? database = null, IReadOnlyList<string>? arguments = null)
    {
        var server = new FerryServer(TempDirs.Create("home"), FreePort())
        {
            FixedRootPassword = fixedRootPassword, Environment = environment ?? new Dictionary<string, string>(),
            Database = database ?? TestStore.NewDatabase(), Arguments = arguments ?? [],
        };
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>A server on the same data directory and port with another catalogue (start it after this one stopped).</summary>
    public FerryServer WithDatabase(string? database) => new(Home, Port) { FixedRootPassword = FixedRootPassword, Environment = Environment, Arguments = Arguments, Database = database, KeepsDatabase = true };

    /// <summary>True: another server object owns the catalogue, so disposing this one leaves it alone.</summary>
    public bool KeepsDatabase { get; init; }

    public async Task StartProcessAsync()
    {
        var psi = Cli.StartInfo(["server", "--listen", $"127.0.0.1:{Port}", .. Arguments], Home);
        if (FixedRootPassword) psi.Environment["FERRY_ROOT_PASSWORD"] = RootPassword;
        else psi.Environment.Remove("FERRY_ROOT_PASSWORD");
        if (Database is not null) psi.Environment["FERRY_DATABASE"] = Database;
        else psi.Environment.Remove("FERRY_DATABASE");
        foreach (var (k, v) in Environment) psi.Environment[k] = v;
        _process = ChildProcess.Start(psi, _log);
        using var http = new HttpClient();
        await ChildProcess.WaitUntilAnswersAsync(_process, "ferry server", async () => (await http.GetAsync($"{Url}/ping")).IsSuccessStatusCode, () => Log);
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or the OOM killer.</summary>
    public void Kill()
    {
        if (StopInProcess()) return;
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process = null;
    }

    /// <summary>SIGKILL of the server process alone, as the OOM killer does it: processes it started live on.</summary>
    public void KillServerOnly()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopInProcessAsync();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        // Kept beside the server's data, so a failed run can be read afterwards (ferry-tests/home-*/server.log).
        try { await File.WriteAllTextAsync(Path.Combine(Home, "server.log"), Log); } catch (IOException) { }
        if (!KeepsDatabase) await TestStore.DropSchemaAsync(Database);
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

public static class TempDirs
{
    public static string Create(string what)
    {
        var dir = Path.Combine(Path.GetTempPath(), "ferry-tests", $"{what}-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
