using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Client.Http;

/// <summary>Bulk selection of tasks; null fields do not narrow.</summary>
public sealed record TaskSelectionRequest(string? User = null, IReadOnlyList<string>? Statuses = null, int? Days = null, string? Pattern = null,
    double? MinCompletion = null, double? MaxCompletion = null, bool IoMismatch = false)
{
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (User is not null) o["user"] = User;
        if (Statuses is { Count: > 0 }) o["status"] = new JsonArray(Statuses.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        if (Days is not null) o["days"] = Days;
        if (Pattern is not null) o["pattern"] = Pattern;
        if (MinCompletion is not null) o["min_completion"] = MinCompletion;
        if (MaxCompletion is not null) o["max_completion"] = MaxCompletion;
        if (IoMismatch) o["io_mismatch"] = true;
        return o;
    }

    public string ToQuery() => string.Join('&', ToJson().SelectMany(p => p.Value is JsonArray a
        ? a.Select(v => $"{p.Key}={Uri.EscapeDataString(v!.ToString())}")
        : [$"{p.Key}={Uri.EscapeDataString(p.Value!.ToString())}"]));
}

/// <summary>Ferry's task extension (/ferry/tasks): not part of the Rucio dialect, so only a Ferry server answers.</summary>
public sealed partial class FerryClient
{
    /// <summary>Submits a task described by the server's fields (input, command, files_per_job or bytes_per_job, output_*, executor...); returns its id.</summary>
    public async Task<long> SubmitTaskAsync(JsonObject task, CancellationToken ct = default) =>
        (await JsonAsync(HttpMethod.Post, "ferry/tasks", task, ct)).GetProperty("task_id").GetInt64();

    public Task<List<JsonElement>> ListTasksAsync(TaskSelectionRequest selection, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, "ferry/tasks?" + selection.ToQuery(), ct: ct);

    public Task<JsonElement> GetTaskAsync(long id, CancellationToken ct = default) => JsonAsync(HttpMethod.Get, $"ferry/tasks/{id}", ct: ct);

    /// <summary>One action on one task; a refusal comes back as an error (TaskNotFound, AccessDenied, WrongTaskStatus).</summary>
    public Task<JsonElement> TaskActionAsync(long id, string action, JsonObject? parameters = null, bool soft = false, CancellationToken ct = default) =>
        JsonAsync(HttpMethod.Post, $"ferry/tasks/{id}/{Escape(action)}", ActionBody(parameters, soft), ct);

    /// <summary>The action on every task the selection picks; a dry run (answers without changes) unless <paramref name="submit"/>.</summary>
    public Task<JsonElement> BulkTaskActionAsync(string action, TaskSelectionRequest selection, bool submit, JsonObject? parameters = null, bool soft = false, CancellationToken ct = default)
    {
        var body = ActionBody(parameters, soft);
        body["selection"] = selection.ToJson();
        body["submit"] = submit;
        return JsonAsync(HttpMethod.Post, $"ferry/tasks/bulk/{Escape(action)}", body, ct);
    }

    private static JsonObject ActionBody(JsonObject? parameters, bool soft)
    {
        var body = new JsonObject();
        if (parameters is not null) body["params"] = parameters;
        if (soft) body["soft"] = true;
        return body;
    }

    public Task<JsonElement> TaskTableAsync(string groupBy, TaskSelectionRequest selection, CancellationToken ct = default) =>
        JsonAsync(HttpMethod.Get, $"ferry/tasks/table?group_by={Escape(groupBy)}&" + selection.ToQuery(), ct: ct);

    public Task<List<JsonElement>> TaskAttemptsAsync(long id, bool failedOnly, CancellationToken ct = default) =>
        ListAsync(HttpMethod.Get, $"ferry/tasks/{id}/attempts" + (failedOnly ? "?failed=true" : ""), ct: ct);

    /// <summary>An attempt's stdout or stderr as the server kept it.</summary>
    public async Task<string> TaskLogAsync(long id, int job, int attempt, string stream, CancellationToken ct = default)
    {
        using var resp = await SendAsync(HttpMethod.Get, $"ferry/tasks/{id}/jobs/{job}/attempts/{attempt}/{Escape(stream)}", ct: ct);
        if (!resp.IsSuccessStatusCode) throw await ErrorFrom(resp);
        return await resp.Content.ReadAsStringAsync(ct);
    }
}
