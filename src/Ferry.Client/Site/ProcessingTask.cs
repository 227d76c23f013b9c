using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Client.Http;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Client.Site;

/// <summary>Which datasets the processing hook takes: a scope, a regex the whole name must match, the RSE where they must be complete.</summary>
public sealed record ProcessingFilter(string Scope, Regex Name, string Rse);

/// <summary>
/// The task system's processing hook (XENON's cax processed a run once its data was complete at the site): every
/// round it looks for datasets of the filter's scope whose name matches, that are complete on the filter's RSE and
/// have no task yet, and submits one task each from the template (a task file's fields without <c>input</c>; the
/// input is the dataset, and <c>{dataset}</c> in <c>name</c> or <c>output_dataset</c> becomes its name). The
/// server's task list is the memory: a dataset that already is some task's input is never submitted again, so a
/// rerun or a restart of the daemon cannot submit twice.
/// </summary>
internal sealed class ProcessingTask(FerryClient client, TimeSpan interval, ProcessingFilter filter, JsonObject template, IReadOnlyList<DidRef>? dids) : ISiteTask
{
    public string Name => "processing";
    public TimeSpan Interval => interval;

    public static readonly string[] Required = ["command", "output_scope", "output_dataset", "output_rse"];

    public async Task<string> RunAsync(CancellationToken ct)
    {
        var taken = (await client.ListTasksAsync(new TaskSelectionRequest(), ct)).Select(t => t.Str("input")).ToHashSet(StringComparer.Ordinal);
        IEnumerable<string> names = dids is null
            ? (await client.SearchAsync(filter.Scope, "*", "dataset", ct)).Select(d => d.Name)
            : dids.Where(d => d.Scope == filter.Scope).Select(d => d.Name);
        var submitted = new List<string>();
        int incomplete = 0, already = 0;
        foreach (var name in names.Where(n => filter.Name.IsMatch(n)).Order(StringComparer.Ordinal))
        {
            var did = new DidRef(filter.Scope, name);
            if (taken.Contains(did.ToString())) { already++; continue; }
            var replicas = await client.DatasetReplicasAsync(did, ct);
            if (!replicas.Any(Complete)) { incomplete++; continue; }
            var id = await client.SubmitTaskAsync(Instantiate(did), ct);
            submitted.Add($"{did}->task {id}");
        }
        return $"{submitted.Count} submitted{(submitted.Count > 0 ? $" ({string.Join(", ", submitted)})" : "")}, {already} already had a task, {incomplete} not complete on {filter.Rse}";
    }

    private bool Complete(Ferry.Core.Dialect.RucioDatasetReplica r) => r.Rse == filter.Rse && r.Length > 0 && r.AvailableLength == r.Length;

    private JsonObject Instantiate(DidRef did)
    {
        var task = (JsonObject)template.DeepClone();
        task["input"] = did.ToString();
        foreach (var key in new[] { "name", "output_dataset" })
            if (task[key] is JsonValue v && v.TryGetValue<string>(out var s)) task[key] = s.Replace("{dataset}", did.Name, StringComparison.Ordinal);
        return task;
    }

    /// <summary>Reads the filter and the template; anything wrong is refused before the daemon starts.</summary>
    public static (ProcessingFilter, JsonObject) Parse(JsonElement filter, JsonElement task)
    {
        if (filter.ValueKind != JsonValueKind.Object) throw FerryException.Invalid("task 'processing': 'filter' must be an object {scope, name, rse}");
        foreach (var p in filter.EnumerateObject())
            if (p.Name is not ("scope" or "name" or "rse")) throw FerryException.Invalid($"task 'processing': unknown filter key '{p.Name}' (scope, name, rse)");
        string Field(string key) => filter.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s : throw FerryException.Invalid($"task 'processing': filter '{key}' must be a non-empty string");
        Regex regex;
        try { regex = new Regex($"^(?:{Field("name")})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)); }
        catch (ArgumentException e) { throw FerryException.Invalid($"task 'processing': filter 'name' is not a valid regular expression: {e.Message}"); }
        var parsed = new ProcessingFilter(Names.Scope(Field("scope")), regex, Names.Rse(Field("rse")));
        if (task.ValueKind != JsonValueKind.Object) throw FerryException.Invalid("task 'processing': 'task' must be an object (a task file's fields)");
        var template = JsonNode.Parse(task.GetRawText())!.AsObject();
        if (template.ContainsKey("input")) throw FerryException.Invalid("task 'processing': the template must not set 'input': each matching dataset is the input");
        foreach (var key in Required)
            if (template[key] is not JsonValue v || !v.TryGetValue<string>(out var s) || s.Length == 0)
                throw FerryException.Invalid($"task 'processing': the template needs '{key}'");
        return (parsed, template);
    }
}
