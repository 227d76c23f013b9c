using System.CommandLine;
using Ferry.Cli.Output;
using Ferry.Client.Http;

namespace Ferry.Cli.Commands.Tasks;

/// <summary>`ferry task logs ID [--failed] [--dir DIR]`: every attempt's stdout and stderr, printed or saved as files.</summary>
internal static class TaskLogsCommand
{
    public static Command Build()
    {
        var id = new Argument<long>("id") { Description = "Task id" };
        var failed = new Option<bool>("--failed") { Description = "Only attempts that failed" };
        var dir = new Option<string?>("--dir") { Description = "Save as DIR/job-NNNNN.attempt-N.stdout|stderr instead of printing" };
        var json = Common.JsonOption();
        var cmd = new Command("logs", "The jobs' stdout and stderr, kept by the server for every attempt").With(id, failed, dir, json);
        cmd.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            var taskId = pr.GetValue(id);
            var attempts = await c.TaskAttemptsAsync(taskId, pr.GetValue(failed), ct);
            if (pr.GetValue(json)) { Render.Json(attempts); return 0; }
            if (attempts.Count == 0) { Console.Out.WriteLine(pr.GetValue(failed) ? "(no failed attempts)" : "(no attempts yet)"); return 0; }
            if (pr.GetValue(dir) is { } d) Directory.CreateDirectory(d);
            foreach (var a in attempts)
            {
                var job = (int)a.Long("job")!.Value;
                var attempt = (int)a.Long("attempt")!.Value;
                foreach (var stream in new[] { "stdout", "stderr" })
                {
                    var text = await c.TaskLogAsync(taskId, job, attempt, stream, ct);
                    if (pr.GetValue(dir) is { } target)
                        await File.WriteAllTextAsync(Path.Combine(target, $"job-{job:D5}.attempt-{attempt}.{stream}"), text, ct);
                    else
                    {
                        Console.Out.WriteLine($"==> job {job} attempt {attempt} {stream} ({a.Str("status")}{(a.Long("exit_code") is { } code ? $", exit {code}" : "")}{(a.Str("error") is { } e ? $": {e}" : "")}) <==");
                        Console.Out.Write(text);
                        if (text.Length > 0 && !text.EndsWith('\n')) Console.Out.WriteLine();
                    }
                }
            }
            if (pr.GetValue(dir) is { } saved) Console.Out.WriteLine($"{attempts.Count * 2} logs saved in {saved}");
            return 0;
        });
        return cmd;
    }
}
