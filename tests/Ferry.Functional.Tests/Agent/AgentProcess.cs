using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Agent;

/// <summary>
/// A real `ferry agent` process on 127.0.0.1 talking to a real <see cref="FerryServer"/>, with its own DIR. Tests use
/// only its HTTP API and the files it writes. It can be killed with SIGKILL and started again on the same DIR and port.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private Process? _process;
    private readonly StringBuilder _log = new();
    private readonly string[] _args;
    private readonly IDictionary<string, string> _env;

    public FerryServer Server { get; }
    public string Dir { get; }
    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public HttpClient Http { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }
    public int Pid => _process?.Id ?? throw new InvalidOperationException("the agent is not running");

    private AgentProcess(FerryServer server, string dir, string[] args, IDictionary<string, string>? env)
    {
        Server = server;
        Dir = dir;
        Port = FerryServer.FreePort();
        _args = args;
        _env = env ?? new Dictionary<string, string>();
        Http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };
    }

    public static async Task<AgentProcess> StartAsync(FerryServer server, string[]? args = null, IDictionary<string, string>? env = null, string? dir = null)
    {
        var agent = new AgentProcess(server, dir ?? TempDirs.Create("agent"), args ?? [], env);
        await agent.StartProcessAsync(agent._args);
        return agent;
    }

    /// <summary>Starts the process (again); <paramref name="args"/> replace the extra arguments given at first start.</summary>
    public async Task StartProcessAsync(string[]? args = null)
    {
        var psi = Infrastructure.Cli.StartInfo(["agent", "--dir", Dir, "--listen", $"127.0.0.1:{Port}", .. args ?? _args], Server.Home,
            new Dictionary<string, string> { ["FERRY_URL"] = Server.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword });
        foreach (var (k, v) in _env) psi.Environment[k] = v;
        _process = ChildProcess.Start(psi, _log);
        await ChildProcess.WaitUntilAnswersAsync(_process, "ferry agent", async () =>
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, "/status");
            if (_env.TryGetValue("FERRY_AGENT_TOKEN", out var token)) req.Headers.Add("X-Ferry-Agent-Token", token);
            using var resp = await Http.SendAsync(req);
            return resp.IsSuccessStatusCode;
        }, () => Log);
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process = null;
    }

    public async Task<(int Status, JsonElement Body)> SendAsync(string method, string pathAndQuery)
    {
        using var resp = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), pathAndQuery));
        var text = await resp.Content.ReadAsStringAsync();
        try { return ((int)resp.StatusCode, JsonDocument.Parse(text).RootElement.Clone()); }
        catch (JsonException) { throw new InvalidOperationException($"{method} {pathAndQuery} -> {(int)resp.StatusCode}, not JSON: {text}"); }
    }

    public async Task<JsonElement> GetAsync(string pathAndQuery)
    {
        var (status, body) = await SendAsync("GET", pathAndQuery);
        Assert.True(status == 200, $"GET {pathAndQuery} -> {status}: {body}");
        return body;
    }

    public static string Ds(string did) => Uri.EscapeDataString(did);

    /// <summary>Polls GET /ds until its status is <paramref name="status"/>; fails with the last answer and the agent's log.</summary>
    public async Task<JsonElement> WaitForDatasetAsync(string did, string status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement last;
        do
        {
            last = await GetAsync($"/ds?ds_name={Ds(did)}");
            if (last.GetProperty("status").GetString() == status) return last;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"{did} did not become {status} within {timeout}: {last}\n{Log}");
        return last;
    }

    /// <summary>User plus system CPU time the process has used so far (from /proc, in clock ticks of 10 ms).</summary>
    public TimeSpan CpuTime()
    {
        var fields = File.ReadAllText($"/proc/{Pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return TimeSpan.FromMilliseconds((long.Parse(fields[11]) + long.Parse(fields[12])) * 10);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }
}

/// <summary>Datasets on a posix RSE of the test server, and checks of what the agent wrote.</summary>
public static class AgentData
{
    public static async Task<List<TestFile>> DatasetAsync(RawApi api, string rse, string prefix, string scope, string dataset, int files, Func<int, int> size)
    {
        var made = Site.MakeFiles(scope, dataset, files, size);
        await Site.UploadAsync(api, rse, prefix, dataset, made);
        return made;
    }

    /// <summary>Every file of the dataset is under DIR/SCOPE/DATASET/ with the right bytes, and no .part is left.</summary>
    public static void AssertLocal(string dir, string scope, string dataset, IEnumerable<TestFile> files)
    {
        foreach (var f in files)
        {
            var path = Path.Combine(dir, scope, dataset, f.Name);
            Assert.True(File.Exists(path), $"{path} is missing");
            Assert.Equal(Site.Sha(f.Content), Site.Sha(File.ReadAllBytes(path)));
        }
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(dir, scope), "*", SearchOption.AllDirectories), p => p.EndsWith(".ferry.part", StringComparison.Ordinal));
    }

    public static List<string> FileList(JsonElement ds) => ds.GetProperty("filelist").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList();
}
