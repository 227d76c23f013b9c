using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Cli.Output;
using Spectre.Console;

namespace Ferry.Cli.Commands.Tasks;

/// <summary>`ferry task`: processing over datasets (Ferry's own extension; needs a Ferry server).</summary>
internal static class TaskCommands
{
    private static readonly string[] Columns = ["task_id", "name", "account", "status", "input", "jobs", "completion", "input_files", "output_files", "executor"];

    public static Command Build()
    {
        var json = Common.JsonOption();
        var file = new Option<string?>("--file") { Description = "A YAML or JSON task file (fields as the options, e.g. files_per_job); options given as well win" };
        var input = new Option<string?>("--input") { Description = "Input dataset or container, scope:name" };
        var command = new Option<string?>("--command") { Description = "Command template: {input}, {inputs}, {output} (the directory for outputs), {job}" };
        var filesPerJob = new Option<int?>("--files-per-job") { Description = "Split: this many input files per job (default 1)" };
        var bytesPerJob = new Option<string?>("--bytes-per-job") { Description = "Split: input bytes per job, e.g. 2GB (instead of --files-per-job)" };
        var outScope = new Option<string?>("--output-scope") { Description = "Scope of the outputs" };
        var outDataset = new Option<string?>("--output-dataset") { Description = "Dataset the outputs are attached to (made if missing)" };
        var outRse = new Option<string?>("--output-rse") { Description = "RSE the outputs are written to, with a rule keeping them there" };
        var executor = new Option<string?>("--executor") { Description = "local (default) or slurm" };
        var attempts = new Option<int?>("--max-attempts") { Description = "Attempts per job before it fails (default 3)" };
        var maxFailed = new Option<int?>("--max-failed-jobs") { Description = "The task stops (exhausted) once more jobs than this failed" };
        var priority = new Option<int?>("--priority") { Description = "Higher runs first" };
        var name = new Option<string?>("--name") { Description = "Task name (default: the output dataset's)" };
        var submit = new Command("submit", "Submit a task; prints its id").With(file, input, command, filesPerJob, bytesPerJob, outScope, outDataset, outRse, executor, attempts, maxFailed, priority, name);
        submit.SetAction(async (pr, ct) =>
        {
            var body = pr.GetValue(file) is { } f ? TaskFile.Read(f) : new JsonObject();
            void Set(string key, JsonNode? value) { if (value is not null) body[key] = value; }
            Set("input", pr.GetValue(input));
            Set("command", pr.GetValue(command));
            Set("files_per_job", pr.GetValue(filesPerJob));
            if (pr.GetValue(bytesPerJob) is { } b) body["bytes_per_job"] = Sizes.Parse(b) is > 0 and var n ? n : throw new UsageException($"--bytes-per-job takes a size, e.g. 2GB; got '{b}'");
            Set("output_scope", pr.GetValue(outScope));
            Set("output_dataset", pr.GetValue(outDataset));
            Set("output_rse", pr.GetValue(outRse));
            Set("executor", pr.GetValue(executor));
            Set("max_attempts", pr.GetValue(attempts));
            Set("max_failed_jobs", pr.GetValue(maxFailed));
            Set("priority", pr.GetValue(priority));
            Set("name", pr.GetValue(name));
            foreach (var key in new[] { "input", "command", "output_scope", "output_dataset", "output_rse" })
                if (body[key] is null) throw new UsageException($"--{key.Replace('_', '-')} is required (or '{key}' in the task file)");
            using var c = Common.Client();
            Console.Out.WriteLine(await c.SubmitTaskAsync(body, ct));
            return 0;
        });

        var selection = new SelectionOptions();
        var list = new Command("list", "List tasks, newest first").With(selection.All).With(json);
        list.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List(await c.ListTasksAsync(selection.From(pr), ct), pr.GetValue(json), Columns);
            return 0;
        });

        var id = new Argument<long>("id") { Description = "Task id" };
        var show = new Command("show", "Show a task with its jobs and outputs").With(id, json);
        show.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            var task = await c.GetTaskAsync(pr.GetValue(id), ct);
            if (pr.GetValue(json)) { Render.Json(task); return 0; }
            Render.Object(task, false);
            return 0;
        });

        var groupBy = new Option<string>("--group-by") { Required = true, Description = "Regex on task names; its first group (or whole match) names a row" };
        var tableSelection = new SelectionOptions();
        var table = new Command("table", "Count tasks per group and status").With(groupBy).With(tableSelection.All).With(json);
        table.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            var rows = await c.TaskTableAsync(pr.GetValue(groupBy)!, tableSelection.From(pr), ct);
            if (pr.GetValue(json)) { Render.Json(rows); return 0; }
            var states = rows.EnumerateArray().SelectMany(r => r.GetProperty("by_status").EnumerateObject().Select(p => p.Name)).Distinct().ToList();
            var t = new Table().Border(TableBorder.Simple);
            t.AddColumn("GROUP");
            foreach (var s in states) t.AddColumn(new TableColumn(s.ToUpperInvariant()).RightAligned());
            t.AddColumn(new TableColumn("TOTAL").RightAligned());
            foreach (var r in rows.EnumerateArray())
            {
                var by = r.GetProperty("by_status");
                t.AddRow([Markup.Escape(r.GetProperty("group").GetString()!), .. states.Select(s => by.TryGetProperty(s, out var n) ? n.GetRawText() : "0"), r.GetProperty("total").GetRawText()]);
            }
            AnsiConsole.Write(t);
            return 0;
        });

        return new Command("task", "Processing over datasets: tasks split into jobs on the local machine or Slurm")
            .With(submit, list, show, table, TaskLogsCommand.Build())
            .With(TaskActionCommands.Build().ToArray());
    }
}
