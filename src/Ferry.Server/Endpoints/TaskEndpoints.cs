using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Tasks;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Tasks;
using Ferry.Engine.Tasks;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>
/// Ferry's task extension (not part of the Rucio dialect): submit, list with bulk selection, show, the JEDI actions
/// one by one or in bulk (a dry run unless submit=true), the status table, and the attempts' logs.
/// </summary>
internal static class TaskEndpoints
{
    private const string Tag = "Tasks";

    public static void MapTasks(this IEndpointRouteBuilder app)
    {
        app.Map("POST", "/ferry/tasks", async ctx =>
        {
            var caller = Caller.Of(ctx);
            var spec = ParseSpec(await Wire.ReadObject(ctx), caller, ctx.RequestServices.GetRequiredService<TaskOptions>());
            await caller.RequireScopeWrite(ctx.RequestServices.GetRequiredService<AccountCatalog>(), spec.OutputScope);
            var id = await Tasks(ctx).SubmitAsync(spec);
            await Wire.WriteJson(ctx, new Dictionary<string, object> { ["task_id"] = id, ["status"] = TaskState.Registered.Wire() }, 201);
        }, "SubmitTask", Tag);

        app.Map("GET", "/ferry/tasks", async ctx =>
            await Wire.WriteStream(ctx, (await Tasks(ctx).SelectAsync(Selection(ctx))).Select(TaskWire.Task)), "ListTasks", Tag);

        app.Map("GET", "/ferry/tasks/table", async ctx =>
        {
            var groupBy = ctx.Query("group_by") ?? throw FerryException.Invalid("group_by is required: a regular expression whose first group names a row");
            var table = StatusTable.Build((await Tasks(ctx).SelectAsync(Selection(ctx))).Select(v => (v.Task.Name, v.Task.State)), groupBy);
            await Wire.WriteJson(ctx, table.Select(r => new Dictionary<string, object>
            {
                ["group"] = r.Key, ["total"] = r.Value.Values.Sum(), ["by_status"] = r.Value.ToDictionary(s => s.Key.Wire(), s => s.Value),
            }));
        }, "TaskTable", Tag);

        app.Map("GET", "/ferry/tasks/{id}", async ctx =>
        {
            var id = TaskId(ctx);
            var view = await Tasks(ctx).GetAsync(id);
            var body = TaskWire.Task(view);
            body["job_list"] = (await Tasks(ctx).JobsAsync(id)).Select(TaskWire.Job);
            body["outputs"] = (await Tasks(ctx).OutputsAsync(id)).Select(o => new Dictionary<string, object> { ["scope"] = o.Scope, ["name"] = o.Name, ["bytes"] = o.Bytes, ["adler32"] = o.Adler32 });
            await Wire.WriteJson(ctx, body);
        }, "GetTask", Tag);

        app.Map("POST", "/ferry/tasks/{id}/{action}", async ctx =>
        {
            var action = ParseAction(ctx.Route("action"));
            var body = await Wire.ReadObject(ctx, allowEmpty: true);
            var caller = Caller.Of(ctx);
            var answer = await Tasks(ctx).ActAsync(action, TaskId(ctx), caller.Account, caller.IsAdmin, RetryParams(body, action), Hard(body, action));
            if (!answer.Ok)
                throw answer.Code switch
                {
                    ActionCode.NotFound => FerryException.NotFound("TaskNotFound", answer.Message),
                    ActionCode.PermissionDenied => FerryException.Denied(answer.Message),
                    _ => FerryException.Conflict("WrongTaskStatus", answer.Message),
                };
            await Wire.WriteJson(ctx, TaskWire.Answer(answer));
        }, "ActOnTask", Tag);

        app.Map("POST", "/ferry/tasks/bulk/{action}", async ctx =>
        {
            var action = ParseAction(ctx.Route("action"));
            var body = await Wire.ReadObject(ctx, allowEmpty: true);
            var caller = Caller.Of(ctx);
            var selection = Selection(Json.AsObject(body["selection"] ?? new JsonObject(), "'selection'"));
            if (selection.IsEmpty) throw FerryException.Invalid("A bulk action needs at least one selection criterion (user, status, days, pattern, completion or io_mismatch)");
            var parameters = RetryParams(body, action);
            var submit = body.OptBool("submit") ?? false;
            var answers = new List<Dictionary<string, object?>>();
            foreach (var v in await Tasks(ctx).SelectAsync(selection))
            {
                var answer = submit
                    ? await Tasks(ctx).ActAsync(action, v.Task.Id, caller.Account, caller.IsAdmin, parameters, Hard(body, action))
                    : TaskTransitions.Decide(action, v.Task.Id, v.Task.Account, v.Task.State, caller.Account, caller.IsAdmin, v.TotalJobs > v.Count(JobState.Defined));
                var row = TaskWire.Answer(answer);
                row["name"] = v.Task.Name;
                answers.Add(row);
            }
            await Wire.WriteJson(ctx, new Dictionary<string, object> { ["dry_run"] = !submit, ["action"] = action.ToString().ToLowerInvariant(), ["answers"] = answers });
        }, "BulkTaskAction", Tag);

        app.Map("GET", "/ferry/tasks/{id}/attempts", async ctx =>
        {
            var id = TaskId(ctx);
            await RequireOwner(ctx, id, "read the logs");
            var failedOnly = ctx.QueryBool("failed");
            var attempts = (await Tasks(ctx).AttemptsAsync(id)).Where(a => !failedOnly || a.State == JobState.Failed);
            await Wire.WriteStream(ctx, attempts.Select(TaskWire.Attempt));
        }, "ListTaskAttempts", Tag);

        app.Map("GET", "/ferry/tasks/{id}/jobs/{job}/attempts/{attempt}/{stream}", async ctx =>
        {
            var id = TaskId(ctx);
            await RequireOwner(ctx, id, "read the logs");
            var stream = ctx.Route("stream");
            if (stream is not ("stdout" or "stderr")) throw FerryException.Invalid($"A log is stdout or stderr, not '{stream}'");
            var a = await Tasks(ctx).AttemptAsync(id, Number(ctx.Route("job"), "job"), Number(ctx.Route("attempt"), "attempt"))
                ?? throw FerryException.NotFound("TaskNotFound", $"Task {id} has no attempt {ctx.Route("attempt")} of job {ctx.Route("job")}");
            var path = Path.Combine(a.WorkDir, stream);
            ctx.Response.ContentType = "text/plain";
            if (!File.Exists(path)) return;
            await using var file = File.OpenRead(path);
            await file.CopyToAsync(ctx.Response.Body);
        }, "GetTaskLog", Tag);
    }

    private static TaskCatalog Tasks(HttpContext ctx) => ctx.RequestServices.GetRequiredService<TaskCatalog>();

    private static long TaskId(HttpContext ctx) =>
        long.TryParse(ctx.Route("id"), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw FerryException.Invalid($"A task id is a number, not '{ctx.Route("id")}'");

    private static int Number(string s, string what) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw FerryException.Invalid($"The {what} is a number, not '{s}'");

    private static async Task RequireOwner(HttpContext ctx, long id, string what)
    {
        var task = await Tasks(ctx).FindAsync(id) ?? throw TaskCatalog.TaskNotFound(id);
        var caller = Caller.Of(ctx);
        if (task.Account != caller.Account && !caller.IsAdmin) throw FerryException.Denied($"Account {caller.Account} can not {what} of task {id}, which belongs to {task.Account}");
    }

    private static TaskAction ParseAction(string s) => s switch
    {
        "pause" => TaskAction.Pause, "unpause" => TaskAction.Unpause, "retry" => TaskAction.Retry, "kill" => TaskAction.Kill, "finish" => TaskAction.Finish,
        _ => throw FerryException.NotFound("UnsupportedOperation", $"Unknown task action '{s}': pause, unpause, retry, kill or finish"),
    };

    private static bool Hard(JsonObject body, TaskAction action) => action == TaskAction.Finish && !(body.OptBool("soft") ?? false);

    private static IReadOnlyDictionary<string, JsonElement>? RetryParams(JsonObject body, TaskAction action)
    {
        if (body["params"] is not { } p) return null;
        if (action != TaskAction.Retry) throw FerryException.Invalid("New parameters go with retry only");
        return RetryParameters.Parse(p.ToJsonString());
    }

    private static TaskSelection Selection(HttpContext ctx)
    {
        var o = new JsonObject();
        foreach (var (k, v) in ctx.Request.Query)
            o[k] = k == "status" ? new JsonArray(v.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()) : JsonValue.Create(v.ToString());
        return Selection(o);
    }

    /// <summary>One parser for the query string of a listing and the selection object of a bulk action.</summary>
    private static TaskSelection Selection(JsonObject o)
    {
        var statuses = o["status"] switch
        {
            null => null,
            JsonArray a => a.Select(s => TaskStateNames.ParseTaskState(s?.ToString() ?? "")).ToList(),
            var s => [TaskStateNames.ParseTaskState(s.ToString())],
        };
        var selection = new TaskSelection(o.OptString("user"), statuses, (int?)Num(o, "days"), o.OptString("pattern"),
            Num(o, "min_completion"), Num(o, "max_completion"), Flag(o, "io_mismatch"));
        selection.Validate();
        return selection;
    }

    private static double? Num(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when double.TryParse(v.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw FerryException.Invalid($"'{key}' must be a number"),
    };

    private static bool Flag(JsonObject o, string key) => o[key] switch
    {
        null => false,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        var v => v.ToString() is "true" or "1" ? true : v.ToString() is "false" or "0" ? false : throw FerryException.Invalid($"'{key}' must be true or false"),
    };

    private static TaskSpec ParseSpec(JsonObject o, Caller caller, TaskOptions options)
    {
        var input = DidRef.Parse(o.RequiredString("input"));
        var executor = o.OptString("executor") ?? "local";
        if (!options.Executors.Contains(executor))
            throw FerryException.Invalid(executor == "slurm"
                ? "The slurm executor is not configured on this server (start it with FERRY_SLURM_CONF=/path/to/slurm.conf)"
                : $"Unknown executor '{executor}': this server has {string.Join(", ", options.Executors)}");
        int? Int(string key) => o.OptLong(key) is { } l ? l is >= int.MinValue and <= int.MaxValue ? (int)l : throw FerryException.Invalid($"'{key}' is out of range") : null;
        var outputDataset = Names.DidName(o.RequiredString("output_dataset"));
        return new TaskSpec
        {
            Name = o.OptString("name") is { Length: > 0 } n ? Names.DidName(n) : outputDataset,
            Account = caller.Account,
            InputScope = input.Scope, InputName = input.Name,
            Template = CommandTemplate.Validate(o.OptString("command")),
            Split = SplitRule.Of(Int("files_per_job"), o.OptLong("bytes_per_job")),
            OutputScope = Names.Scope(o.RequiredString("output_scope")),
            OutputDataset = outputDataset,
            OutputRse = Names.Rse(o.RequiredString("output_rse")),
            Executor = executor,
            MaxAttempts = Int("max_attempts") ?? 3,
            MaxFailedJobs = Int("max_failed_jobs"),
            Priority = Int("priority") ?? 0,
        };
    }
}
