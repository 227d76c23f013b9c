using System.Text.Json;
using Ferry.Client.Config;
using Ferry.Client.Http;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Client.Site;

/// <summary>One periodic job of the site daemon; a round returns a line for the log.</summary>
public interface ISiteTask
{
    string Name { get; }
    TimeSpan Interval { get; }
    Task<string> RunAsync(CancellationToken ct);
}

/// <summary>
/// site.yaml or site.json: <c>{"tasks": {"subscriptions": {...}, "retention": {"rses": [...]}, "stalled-transfers": {...},
/// "checksum-audit": {"rses": [...]}, "consistency": {"rses": [...], "fix": false},
/// "processing": {"filter": {"scope", "name", "rse"}, "task": {...}}}}</c>.
/// Every task takes <c>interval_seconds</c>. Anything unknown (a task, a key) is refused before anything runs.
/// With <c>dids</c> (`--dids`) every task works only on the files below those DIDs; the subscriptions task, which
/// places rules on new DIDs by its filter rather than on chosen files, then skips its rounds; processing considers
/// only the given DIDs that are datasets of its scope.
/// </summary>
public static class SiteConfig
{
    public static readonly string[] Tasks = ["subscriptions", "retention", "stalled-transfers", "checksum-audit", "consistency", "processing"];

    public static IReadOnlyList<ISiteTask> Load(string path, FerryClient client, IReadOnlyCollection<string>? only, IReadOnlyList<DidRef>? dids = null)
    {
        var root = JsonDocument.Parse(ConfigFile.ReadObject(path, "a site config").ToJsonString()).RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("tasks", out var tasks) || tasks.ValueKind != JsonValueKind.Object)
            throw FerryException.Invalid($"{path}: expected {{\"tasks\": {{...}}}}");
        foreach (var p in root.EnumerateObject())
            if (p.Name != "tasks") throw FerryException.Invalid($"{path}: unknown key '{p.Name}' (only 'tasks')");
        var result = new List<ISiteTask>();
        foreach (var t in tasks.EnumerateObject())
        {
            if (!Tasks.Contains(t.Name)) throw FerryException.Invalid($"{path}: unknown task '{t.Name}'; the tasks are {string.Join(", ", Tasks)}");
            if (t.Value.ValueKind != JsonValueKind.Object) throw FerryException.Invalid($"{path}: task '{t.Name}' must be an object");
            result.Add(Build(t.Name, new TaskSettings(t.Name, t.Value), client, dids));
        }
        if (only is { Count: > 0 })
        {
            foreach (var o in only)
                if (!result.Any(t => t.Name == o)) throw FerryException.Invalid($"--only {o}: the config has no such task (it has {string.Join(", ", result.Select(t => t.Name))})");
            result = result.Where(t => only.Contains(t.Name)).ToList();
        }
        if (result.Count == 0) throw FerryException.Invalid($"{path}: no tasks to run");
        return result;
    }

    private static ISiteTask Build(string name, TaskSettings s, FerryClient client, IReadOnlyList<DidRef>? dids)
    {
        var interval = s.Seconds("interval_seconds", 60);
        ISiteTask task = name switch
        {
            "subscriptions" => new SubscriptionsTask(client, interval, dids is not null),
            "retention" => new RetentionTask(client, interval, s.Strings("rses"), dids),
            "checksum-audit" => new ChecksumAuditTask(client, interval, s.Strings("rses"), s.Count("files_per_round", 100), dids),
            "consistency" => new ConsistencyTask(client, interval, s.Strings("rses"), new ConsistencySettings(
                s.Seconds("grace_seconds", 86400), s.Count("sample", 100), s.Count("checks_per_second", 20), s.Flag("fix")), dids),
            "processing" => Processing(client, interval, s, dids),
            _ => new StalledTransfersTask(client, interval, s.Seconds("alert_after_seconds", 3600), s.Seconds("reset_after_seconds", 6 * 3600), dids),
        };
        s.RejectUnread();
        return task;
    }

    private static ProcessingTask Processing(FerryClient client, TimeSpan interval, TaskSettings s, IReadOnlyList<DidRef>? dids)
    {
        var (filter, template) = ProcessingTask.Parse(s.Raw("filter"), s.Raw("task"));
        return new ProcessingTask(client, interval, filter, template, dids);
    }

    private sealed class TaskSettings(string task, JsonElement json)
    {
        private readonly HashSet<string> _read = [];

        public JsonElement Raw(string key)
        {
            _read.Add(key);
            return json.TryGetProperty(key, out var v) ? v : throw FerryException.Invalid($"task '{task}': '{key}' is required");
        }

        public TimeSpan Seconds(string key, double fallback)
        {
            _read.Add(key);
            if (!json.TryGetProperty(key, out var v)) return TimeSpan.FromSeconds(fallback);
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || d <= 0) throw FerryException.Invalid($"task '{task}': '{key}' must be a positive number of seconds");
            return TimeSpan.FromSeconds(d);
        }

        public int Count(string key, int fallback)
        {
            _read.Add(key);
            if (!json.TryGetProperty(key, out var v)) return fallback;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n) || n is < 1 or > 100_000) throw FerryException.Invalid($"task '{task}': '{key}' must be a whole number from 1 to 100000");
            return n;
        }

        public bool Flag(string key)
        {
            _read.Add(key);
            if (!json.TryGetProperty(key, out var v)) return false;
            return v.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw FerryException.Invalid($"task '{task}': '{key}' must be true or false") };
        }

        public IReadOnlyList<string> Strings(string key)
        {
            _read.Add(key);
            if (!json.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0 || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                throw FerryException.Invalid($"task '{task}': '{key}' must be a non-empty list of names");
            return v.EnumerateArray().Select(e => e.GetString()!).ToList();
        }

        public void RejectUnread()
        {
            foreach (var p in json.EnumerateObject())
                if (!_read.Contains(p.Name)) throw FerryException.Invalid($"task '{task}': unknown setting '{p.Name}'");
        }
    }
}

/// <summary>
/// Under --dids the subscriptions task skips its rounds: a subscription places rules on new DIDs by its filter and
/// keeps a cursor over them, so a round limited to chosen DIDs would move the cursor past DIDs it never looked at.
/// </summary>
internal sealed class SubscriptionsTask(FerryClient client, TimeSpan interval, bool restricted) : ISiteTask
{
    public string Name => "subscriptions";
    public TimeSpan Interval => interval;

    public async Task<string> RunAsync(CancellationToken ct) => restricted
        ? "skipped=true reason=\"--dids: subscriptions act on new DIDs by their filter, not on chosen files\""
        : $"{await client.RunSubscriptionsAsync(ct)} new DID(s) handled";
}

internal sealed class RetentionTask(FerryClient client, TimeSpan interval, IReadOnlyList<string> rses, IReadOnlyList<DidRef>? dids) : ISiteTask
{
    public string Name => "retention";
    public TimeSpan Interval => interval;

    public Task<string> RunAsync(CancellationToken ct) => PerRse.RunAsync(rses, async rse =>
        $"{(await client.ApplyRetentionAsync(rse, ct, dids)).GetArrayLength()} replica(s) scheduled for deletion");
}

internal sealed class StalledTransfersTask(FerryClient client, TimeSpan interval, TimeSpan alertAfter, TimeSpan resetAfter, IReadOnlyList<DidRef>? dids) : ISiteTask
{
    public string Name => "stalled-transfers";
    public TimeSpan Interval => interval;

    public async Task<string> RunAsync(CancellationToken ct)
    {
        var done = (await client.CheckStalledTransfersAsync(alertAfter, resetAfter, ct, dids)).EnumerateArray().ToList();
        return $"{done.Count(d => d.GetProperty("action").GetString() == "ALERTED")} alerted, {done.Count(d => d.GetProperty("action").GetString() == "RESET")} reset";
    }
}

/// <summary>The audit's rate is files_per_round every interval_seconds, per RSE.</summary>
internal sealed class ChecksumAuditTask(FerryClient client, TimeSpan interval, IReadOnlyList<string> rses, int files, IReadOnlyList<DidRef>? dids) : ISiteTask
{
    public string Name => "checksum-audit";
    public TimeSpan Interval => interval;

    public Task<string> RunAsync(CancellationToken ct) => PerRse.RunAsync(rses, async rse =>
    {
        var results = (await client.AuditChecksumsAsync(rse, files, ct, dids)).EnumerateArray().Select(r => r.GetProperty("outcome").GetString()).ToList();
        return $"{results.Count(o => o == "OK")} ok, {results.Count(o => o == "BAD")} bad, {results.Count(o => o == "ERROR")} unreadable";
    });
}

public sealed record ConsistencySettings(TimeSpan Grace, int Sample, int ChecksPerSecond, bool Fix);

/// <summary>
/// `ferry rse check` as a periodic job per RSE: dark files older than the grace period, lost files and sampled
/// mismatches are reported every round and, only with fix: true, dark files deleted and the others declared BAD.
/// </summary>
internal sealed class ConsistencyTask(FerryClient client, TimeSpan interval, IReadOnlyList<string> rses, ConsistencySettings settings, IReadOnlyList<DidRef>? dids) : ISiteTask
{
    public string Name => "consistency";
    public TimeSpan Interval => interval;

    public Task<string> RunAsync(CancellationToken ct) => PerRse.RunAsync(rses, async rse =>
    {
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["fix"] = settings.Fix, ["grace_seconds"] = (long)settings.Grace.TotalSeconds, ["sample"] = settings.Sample,
            ["checks_per_second"] = settings.ChecksPerSecond,
        };
        FerryClient.Restricted(body, dids);
        var r = await client.CheckRseAsync(rse, body, ct);
        return $"{r.GetProperty("dark").GetArrayLength()} dark, {r.GetProperty("lost").GetArrayLength()} lost, " +
            $"{r.GetProperty("mismatched").GetArrayLength()} corrupt of {r.Long("catalogued")} catalogued" + (settings.Fix ? $"; fixed: {r.Long("deleted")} deleted, {r.Long("declared_bad")} declared BAD" : "");
    });
}

/// <summary>The RSE-wise site tasks: one round visits each RSE in turn and reports "RSE: what happened" for each.</summary>
internal static class PerRse
{
    public static async Task<string> RunAsync(IReadOnlyList<string> rses, Func<string, Task<string>> round)
    {
        var parts = new List<string>(rses.Count);
        foreach (var rse in rses) parts.Add($"{rse}: {await round(rse)}");
        return string.Join("; ", parts);
    }
}
