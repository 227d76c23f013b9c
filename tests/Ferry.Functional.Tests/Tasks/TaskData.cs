using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Tasks;

/// <summary>Input datasets, task submission and waiting, over the server's HTTP API.</summary>
public static class TaskData
{
    /// <summary>Retries without delay, so a failing job's attempts follow each other at once.</summary>
    public static readonly IReadOnlyDictionary<string, string> FastRetries = new Dictionary<string, string> { ["FERRY_TASK_RETRY_SECONDS"] = "0" };

    /// <summary>A dataset of <paramref name="count"/> small files on a new posix RSE; returns the files and the RSE's prefix.</summary>
    public static async Task<(List<TestFile> Files, string Prefix)> InputAsync(RawApi api, string rse, string dataset, int count, int size = 1000)
    {
        var prefix = await Site.AddPosixRseAsync(api, rse);
        var files = Site.MakeFiles("user.root", dataset, count, i => size + i);
        await Site.UploadAsync(api, rse, prefix, dataset, files);
        return (files, prefix);
    }

    public static async Task<long> SubmitAsync(RawApi api, object spec)
    {
        using var resp = await api.SendAsync("POST", "/ferry/tasks", JsonSerializer.Serialize(spec));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(201 == (int)resp.StatusCode, $"submit -> {(int)resp.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("task_id").GetInt64();
    }

    public static async Task<JsonElement> WaitForStatusAsync(RawApi api, long id, TimeSpan timeout, params string[] statuses)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement task;
        do
        {
            task = await api.JsonAsync("GET", $"/ferry/tasks/{id}");
            if (statuses.Contains(task.GetProperty("status").GetString())) return task;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"task {id} did not reach {string.Join("/", statuses)} in {timeout}: {task}");
        return task;
    }

    public static async Task<JsonElement> ActAsync(RawApi api, long id, string action, object? body = null, int expect = 200)
    {
        using var resp = await api.SendAsync("POST", $"/ferry/tasks/{id}/{action}", body is null ? null : JsonSerializer.Serialize(body));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(expect == (int)resp.StatusCode, $"{action} {id} -> {(int)resp.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> BulkAsync(RawApi api, string action, object selection, bool submit, object? parameters = null)
    {
        var body = new JsonObject { ["selection"] = JsonNode.Parse(JsonSerializer.Serialize(selection)), ["submit"] = submit };
        if (parameters is not null) body["params"] = JsonNode.Parse(JsonSerializer.Serialize(parameters));
        return await api.JsonAsync("POST", $"/ferry/tasks/bulk/{action}", body.ToJsonString());
    }

    /// <summary>The output rule OK with every output locked (the judge sees attachments a moment after they happen).</summary>
    public static async Task WaitForRuleLocksAsync(RawApi api, string ruleId, int locks)
    {
        JsonElement rule = default;
        await Site.WaitUntilAsync(async () =>
        {
            rule = await api.JsonAsync("GET", $"/rules/{ruleId}");
            return rule.GetProperty("state").GetString() == "OK" && rule.GetProperty("locks_ok_cnt").GetInt32() == locks;
        }, TimeSpan.FromSeconds(30), $"rule {ruleId} OK with {locks} locks");
    }

    public static string Status(JsonElement task) => task.GetProperty("status").GetString()!;

    /// <summary>Adler32 of the concatenation of <paramref name="files"/>, what `cat {inputs}` writes.</summary>
    public static string Concatenated(IEnumerable<TestFile> files) =>
        new TestFile("x", "x", files.SelectMany(f => f.Content).ToArray()).Adler32;
}
