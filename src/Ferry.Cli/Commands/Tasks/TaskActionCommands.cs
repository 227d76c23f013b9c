using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Cli.Output;
using Ferry.Client.Http;

namespace Ferry.Cli.Commands.Tasks;

/// <summary>
/// pause, unpause, retry, kill, finish: on one task by id, or on every task a selection picks — then a dry run that
/// lists what would happen unless --submit is given.
/// </summary>
internal static class TaskActionCommands
{
    public static IEnumerable<Command> Build()
    {
        yield return Action("pause", "Stop starting new jobs (running ones finish)");
        yield return Action("unpause", "Start jobs again");
        yield return Action("retry", "Run the failed and cancelled jobs again, optionally with new parameters", retry: true);
        yield return Action("kill", "Cancel every job and abort the task");
        yield return Action("finish", "End the task: jobs not started are dropped, running ones are cancelled (or finish, with --soft)", finish: true);
    }

    private static Command Action(string action, string description, bool retry = false, bool finish = false)
    {
        var id = new Argument<long?>("id") { Description = "Task id (or select tasks with the options below)", Arity = ArgumentArity.ZeroOrOne };
        var selection = new SelectionOptions();
        var submit = new Option<bool>("--submit") { Description = "Act on the selected tasks (without it, a bulk action is a dry run)" };
        var newParams = new Option<string?>("--new-params") { Description = "JSON object of new parameters: nFiles, nEvents, cliParams, ramCount, priority, site, excludedSite, includedSite" };
        var soft = new Option<bool>("--soft") { Description = "Let running jobs finish" };
        var json = Common.JsonOption();
        var cmd = new Command(action, description).With(id).With(selection.All).With(submit, json);
        if (retry) cmd.Add(newParams);
        if (finish) cmd.Add(soft);
        cmd.SetAction(async (pr, ct) =>
        {
            JsonObject? parameters = null;
            if (retry && pr.GetValue(newParams) is { } p)
            {
                try { parameters = JsonNode.Parse(p) as JsonObject ?? throw new UsageException("--new-params takes a JSON object, e.g. '{\"nFiles\": 2}'"); }
                catch (JsonException e) { throw new UsageException($"--new-params is not JSON: {e.Message}"); }
            }
            var softFinish = finish && pr.GetValue(soft);
            using var c = Common.Client();
            if (pr.GetValue(id) is { } taskId)
            {
                if (selection.Any(pr)) throw new UsageException("give a task id or selection options, not both");
                var answer = await c.TaskActionAsync(taskId, action, parameters, softFinish, ct);
                if (pr.GetValue(json)) Render.Json(answer);
                else Console.Out.WriteLine(answer.Str("message"));
                return 0;
            }
            if (!selection.Any(pr)) throw new UsageException($"give a task id, or select tasks with --user, --status, --days, --pattern, --min-completion, --max-completion or --io-mismatch");
            var result = await c.BulkTaskActionAsync(action, selection.From(pr), pr.GetValue(submit), parameters, softFinish, ct);
            var answers = result.GetProperty("answers").EnumerateArray().ToList();
            if (pr.GetValue(json)) { Render.Json(result); }
            else
            {
                Render.List(answers, false, "task_id", "name", "status", "message");
                Console.Out.WriteLine(result.GetProperty("dry_run").GetBoolean()
                    ? $"dry run: {answers.Count(a => a.Long("code") == 0)} of {answers.Count} tasks would {action}; add --submit to do it"
                    : $"{answers.Count(a => a.Long("code") == 0)} of {answers.Count} tasks: {action} done");
            }
            return !result.GetProperty("dry_run").GetBoolean() && answers.Any(a => a.Long("code") != 0) ? 1 : 0;
        });
        return cmd;
    }
}
