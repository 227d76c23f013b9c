using System.CommandLine;
using Ferry.Cli.Output;
using Ferry.Transfer;
using Spectre.Console;

namespace Ferry.Cli.Commands;

internal static class TransferCommands
{
    public static Command BuildDownload()
    {
        var dids = new Argument<string[]>("dids") { Arity = ArgumentArity.OneOrMore, Description = "scope:name of files, datasets or containers" };
        var dir = new Option<string>("--dir") { DefaultValueFactory = _ => ".", Description = "Where to put the files, as Rucio does: a dataset in DIR/NAME/, a file in DIR/SCOPE/NAME (a leading '/' of a name dropped, a '/'-rooted file of a dataset by its last segment)" };
        var parallel = new Option<int>("--parallel") { DefaultValueFactory = _ => 4 };
        var json = Common.JsonOption();
        var cmd = new Command("download", "Download DIDs, verifying every file's checksum").With(dids, dir, parallel, json);
        cmd.SetAction(async (pr, ct) =>
        {
            var targets = pr.GetValue(dids)!.Select(Common.Did).ToList();
            using var c = Common.Client();
            var results = await WithProgress("Downloading", 0, 0, pr.GetValue(json), p => new Downloader(c).DownloadAsync(targets, pr.GetValue(dir)!, Math.Max(1, pr.GetValue(parallel)), p, ct));
            var failed = results.Where(r => r.Status == DownloadStatus.Failed).ToList();
            if (pr.GetValue(json)) Render.Json(results.Select(r => new { did = r.File.ToString(), path = r.LocalPath, status = r.Status.ToString().ToUpperInvariant(), bytes = r.Bytes, resumed_from = r.ResumedFrom, streams = r.Streams, error = r.Error }));
            else
            {
                foreach (var f in failed) Console.Error.WriteLine($"ferry: {f.File}: {f.Error}");
                Console.Out.WriteLine($"{results.Count(r => r.Status == DownloadStatus.Downloaded)} downloaded, {results.Count(r => r.Status == DownloadStatus.AlreadyPresent)} already present, {failed.Count} failed");
            }
            if (results.Count == 0) { Console.Error.WriteLine("ferry: nothing to download: no AVAILABLE replicas"); return 1; }
            return failed.Count == 0 ? 0 : 1;
        });
        return cmd;
    }

    /// <summary>A progress bar on a terminal; nothing on a pipe, so scripts get clean output.</summary>
    internal static async Task<T> WithProgress<T>(string label, int files, long bytes, bool quiet, Func<IProgress<TransferProgress>, Task<T>> work)
    {
        if (quiet || Console.IsOutputRedirected) return await work(new Progress<TransferProgress>());
        T result = default!;
        await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(label, maxValue: Math.Max(1, bytes));
                if (bytes == 0) task.IsIndeterminate = true;
                var progress = new Progress<TransferProgress>(p =>
                {
                    task.Value = p.Bytes;
                    task.Description = files > 0 ? $"{label} ({p.Files}/{files})" : $"{label} ({p.Files} files)";
                });
                result = await work(progress);
                task.Value = task.MaxValue;
            });
        return result;
    }
}
