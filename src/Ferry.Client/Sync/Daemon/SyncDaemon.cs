using System.Security.Cryptography;
using System.Text;
using Ferry.Client.Config;
using Ferry.Client.Http;
using Ferry.Core.Sync;

namespace Ferry.Client.Sync.Daemon;

public sealed record SyncDaemonOptions(bool DryRun = false, string? MetricsFile = null);

/// <summary>
/// `ferry sync run`: the sync steps of a config file, every interval, for as long as it runs. The config is re-read
/// before each cycle; an edit that does not parse or validate is refused with a log line and the last good config goes
/// on running (a daemon that dies on a typo leaves a site unsynced until someone notices). Each unit (a step, or one
/// RSE's replicas) fails alone and is tried again next cycle; RSEs' replicas run up to 'parallelism' at once.
/// </summary>
public sealed class SyncDaemon(string configPath, Func<SyncDaemonConfig, CancellationToken, Task<ISyncSource>> openSource,
    FerryClient target, TextWriter log, TimeProvider clock, SyncDaemonOptions options)
{
    private readonly SyncMetrics _metrics = new();
    private readonly Dictionary<string, DateTimeOffset> _firstSeen = [];
    private readonly Dictionary<string, WindowState> _windowLogged = [];
    private SyncDaemonConfig? _config;
    private string? _configDigest;

    public SyncMetrics Metrics => _metrics;

    /// <summary>Loads the config the first time: a bad one here is the caller's error (nothing has run yet).</summary>
    public SyncDaemonConfig Start()
    {
        _config = SyncDaemonConfig.Load(configPath);
        _configDigest = Digest(File.ReadAllText(configPath));
        _metrics.ConfigLoaded(clock.GetUtcNow());
        Log("config", "-", "loaded", Describe(_config));
        return _config;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        _config ??= Start();
        while (!ct.IsCancellationRequested)
        {
            Reload();
            try { await CycleAsync(ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            try { await Task.Delay(_config!.Interval, clock, ct); }
            catch (OperationCanceledException) { break; }
        }
        Log("daemon", "-", "stop", "");
    }

    /// <summary>One cycle; returns how many units failed.</summary>
    public async Task<int> CycleAsync(CancellationToken ct)
    {
        var config = _config ?? Start();
        var started = clock.GetTimestamp();
        var failed = 0;
        ISyncSource? source = null;
        if (!await UnitAsync("source", "-", async () => { source = await openSource(config, ct); return $"source={source.Describe}"; }, ct))
        {
            await FinishAsync(started, 1, ct);
            return 1;
        }
        using (source)
        {
            if (config.Rses is { } rses && !await UnitAsync("rses", "-", async () => Summary(await new RseSync(Server(source!, "rses"), target, rses, options.DryRun).RunAsync(ct)), ct)) failed++;
            if (config.Accounts is { } accounts && !await UnitAsync("accounts", "-", async () => Summary(await new AccountSync(target, accounts, options.DryRun).RunAsync(ct)), ct)) failed++;
            if (config.Links is { } links && !await UnitAsync("links", "-", async () => Summary(await new LinkSync(target,
                    links.FromSource ? Server(source!, "links from_source") : null, links.Filter, links.Policy, links.Overwrite, links.Disable, options.DryRun).RunAsync(ct)), ct)) failed++;
            using var slots = new SemaphoreSlim(config.Parallelism);
            var results = await Task.WhenAll(config.Replicas.Where(e => InWindow(e)).Select(async entry =>
            {
                await slots.WaitAsync(ct);
                try { return await UnitAsync("replicas", entry.Rse, () => ReplicasAsync(source!, entry, ct), ct); }
                finally { slots.Release(); }
            }));
            failed += results.Count(ok => !ok);
        }
        await FinishAsync(started, failed, ct);
        return failed;
    }

    private async Task<string> ReplicasAsync(ISyncSource source, ReplicaEntry entry, CancellationToken ct)
    {
        var (diff, report) = await new ReplicaSync(source, target, new ReplicaSyncOptions(entry.Rse, entry.Chunk, entry.AllowClean, !options.DryRun, entry.Account)).RunAsync(ct);
        _metrics.Diff(entry.Rse, diff.Missing, diff.Extra, diff.Changed);
        return $"source_files={diff.SourceFiles} target_files={diff.TargetFiles} missing={diff.Missing} extra={diff.Extra} changed={diff.Changed} moved={diff.Moved} dry_run={report.DryRun.ToString().ToLowerInvariant()}";
    }

    private bool InWindow(ReplicaEntry entry)
    {
        var now = clock.GetUtcNow();
        if (!_firstSeen.TryGetValue(entry.Rse, out var first)) _firstSeen[entry.Rse] = first = now;
        var state = entry.Window.StateAt(now, first);
        var known = _windowLogged.TryGetValue(entry.Rse, out var logged);
        if (!known || logged != state)
        {
            _windowLogged[entry.Rse] = state;
            if (known || state != WindowState.Open)
                Log("replicas", entry.Rse, state switch { WindowState.NotYet => "waiting", WindowState.Over => "window-over", _ => "window-open" }, $"window=\"{entry.Window.Describe()}\"");
        }
        return state == WindowState.Open;
    }

    private void Reload()
    {
        string text;
        try { text = File.ReadAllText(configPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Refused($"cannot read {configPath}: {e.Message}");
            return;
        }
        var digest = Digest(text);
        if (digest == _configDigest) return;
        try
        {
            _config = SyncDaemonConfig.Parse(ConfigFile.ParseObject(text, configPath, "a sync config"), configPath);
            _configDigest = digest;
            _metrics.ConfigLoaded(clock.GetUtcNow());
            Log("config", "-", "reloaded", Describe(_config));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _configDigest = digest;          // said once per bad edit, not once per cycle
            Refused(e is Ferry.Core.Errors.FerryException ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
    }

    private void Refused(string why)
    {
        _metrics.ConfigRejected();
        Log("config", "-", "rejected", $"error=\"{Quote(why)}\" keeping=\"the last good config\"");
    }

    private async Task<bool> UnitAsync(string phase, string rse, Func<Task<string>> work, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        try
        {
            var detail = await work();
            _metrics.Phase(phase, rse, clock.GetElapsedTime(started), true, clock.GetUtcNow());
            Log(phase, rse, "ok", $"ms={clock.GetElapsedTime(started).TotalMilliseconds:F0} {detail}");
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception e)
        {
            _metrics.Phase(phase, rse, clock.GetElapsedTime(started), false, clock.GetUtcNow());
            Log(phase, rse, "failed", $"ms={clock.GetElapsedTime(started).TotalMilliseconds:F0} error=\"{Quote(e.GetType().Name + ": " + e.Message)}\" retry=next-cycle");
            return false;
        }
    }

    private async Task FinishAsync(long started, int failed, CancellationToken ct)
    {
        _metrics.Cycle();
        Log("cycle", "-", failed == 0 ? "ok" : "partial", $"ms={clock.GetElapsedTime(started).TotalMilliseconds:F0} failed_units={failed}");
        if (options.MetricsFile is { } file)
        {
            try { await _metrics.WriteAsync(file, ct); }
            catch (IOException e) { Log("metrics", "-", "failed", $"error=\"{Quote(e.Message)}\""); }
        }
    }

    private static FerryClient Server(ISyncSource source, string step) =>
        source.Server ?? throw new InvalidOperationException($"the source {source.Describe} is a dump; '{step}' needs a server");

    private static string Summary(SyncReport r) => $"changes={r.Changes.Count} refused={r.Refused.Count}" + (r.Refused.Count > 0 ? $" first_refusal=\"{Quote(r.Refused[0])}\"" : "");

    private static string Describe(SyncDaemonConfig c) =>
        $"source={c.Source} interval_s={c.Interval.TotalSeconds:F0} parallelism={c.Parallelism} steps={string.Join(',', new[] { c.Rses is null ? null : "rses", c.Accounts is null ? null : "accounts", c.Links is null ? null : "links" }.Where(s => s is not null).DefaultIfEmpty("-"))} replicas={string.Join(',', c.Replicas.Select(r => r.Rse).DefaultIfEmpty("-"))}";

    private static string Digest(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    private static string Quote(string s) => s.Replace('"', '\'').Replace('\n', ' ');

    private void Log(string phase, string rse, string status, string detail)
    {
        lock (log) log.WriteLine($"{clock.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} component=sync phase={phase} rse={rse} status={status} {detail}".TrimEnd());
        log.Flush();
    }
}
