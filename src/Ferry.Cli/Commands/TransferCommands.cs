using System.CommandLine;
using System.Diagnostics;
using Ferry.Cli.Output;
using Ferry.Client.Transfer;
using Ferry.Core.Identifiers;
using Spectre.Console;

namespace Ferry.Cli.Commands;

internal static class TransferCommands
{
    public static Command BuildUpload()
    {
        var paths = new Argument<string[]>("paths") { Arity = ArgumentArity.OneOrMore, Description = "Files, or directories whose files are uploaded" };
        var rse = new Option<string>("--rse") { Required = true, Description = "RSE to upload to" };
        var scope = new Option<string>("--scope") { Required = true, Description = "Scope of the new file DIDs" };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset to attach the files to (NAME or scope:NAME), created if absent" };
        var lifetime = new Option<string?>("--lifetime") { Description = "Lifetime of the upload's rule, e.g. 30d (default: none)" };
        var parallel = new Option<int>("--parallel") { DefaultValueFactory = _ => 4, Description = "Parallel streams" };
        var md5 = new Option<bool>("--md5") { Description = "Also compute md5 in the same pass (much slower than adler32, which is always computed)" };
        var json = Common.JsonOption();
        var cmd = new Command("upload", "Upload files to an RSE, verified, and register them").With(paths, rse, scope, dataset, lifetime, parallel, md5, json);
        cmd.SetAction(async (pr, ct) =>
        {
            var s = Names.Scope(pr.GetValue(scope)!);
            var files = Expand(pr.GetValue(paths)!);
            if (files.Count == 0) throw new UsageException("no files to upload");
            var items = files.Select(f => new UploadItem(f, new DidRef(s, Names.DidName(Path.GetFileName(f))))).ToList();
            DidRef? ds = pr.GetValue(dataset) is { } d ? (d.Contains(':') ? Common.Did(d) : new DidRef(s, Names.DidName(d))) : null;
            var options = new UploadOptions(pr.GetValue(rse)!, ds, Common.Duration(pr.GetValue(lifetime)), Math.Max(1, pr.GetValue(parallel)), pr.GetValue(md5));
            var total = files.Sum(f => new FileInfo(f).Length);
            using var c = Common.Client();
            var sw = Stopwatch.StartNew();
            var results = await WithProgress($"Uploading {files.Count} files", files.Count, total, pr.GetValue(json),
                p => new Uploader(c).UploadAsync(items, options, p, ct));
            var failed = results.Where(r => r.Status == UploadStatus.Failed).ToList();
            if (pr.GetValue(json)) Render.Json(results.Select(r => new { scope = r.Item.Did.Scope, name = r.Item.Did.Name, path = r.Item.LocalPath, status = r.Status.ToString().ToUpperInvariant(), bytes = r.Bytes, adler32 = r.Adler32, md5 = r.Md5, pfn = r.Pfn, error = r.Error }));
            else
            {
                foreach (var f in failed) Console.Error.WriteLine($"ferry: {f.Item.LocalPath}: {f.Error}");
                Console.Out.WriteLine($"{results.Count(r => r.Status == UploadStatus.Uploaded)} uploaded, {results.Count(r => r.Status == UploadStatus.AlreadyPresent)} already present, {failed.Count} failed ({Render.Bytes(total)} in {sw.Elapsed.TotalSeconds:F1} s)");
            }
            return failed.Count == 0 ? 0 : 1;
        });
        return cmd;
    }

    public static Command BuildDownload()
    {
        var dids = new Argument<string[]>("dids") { Arity = ArgumentArity.OneOrMore, Description = "scope:name of files, datasets or containers" };
        var dir = new Option<string>("--dir") { DefaultValueFactory = _ => ".", Description = "Where to put the files (a dataset lands in DIR/NAME/)" };
        var parallel = new Option<int>("--parallel") { DefaultValueFactory = _ => 4 };
        var json = Common.JsonOption();
        var cmd = new Command("download", "Download DIDs, verifying every file's checksum").With(dids, dir, parallel, json);
        cmd.SetAction(async (pr, ct) =>
        {
            var targets = pr.GetValue(dids)!.Select(Common.Did).ToList();
            using var c = Common.Client();
            var results = await WithProgress("Downloading", 0, 0, pr.GetValue(json), p => new Downloader(c).DownloadAsync(targets, pr.GetValue(dir)!, Math.Max(1, pr.GetValue(parallel)), p, ct));
            var failed = results.Where(r => r.Status == DownloadStatus.Failed).ToList();
            if (pr.GetValue(json)) Render.Json(results.Select(r => new { did = r.File.ToString(), path = r.LocalPath, status = r.Status.ToString().ToUpperInvariant(), bytes = r.Bytes, resumed_from = r.ResumedFrom, error = r.Error }));
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

    /// <summary>Directories contribute the files directly inside them (sorted); files are taken as given.</summary>
    private static List<string> Expand(IEnumerable<string> paths)
    {
        var result = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p)) result.AddRange(Directory.EnumerateFiles(p).Order(StringComparer.Ordinal));
            else if (File.Exists(p)) result.Add(p);
            else throw new UsageException($"{p}: no such file or directory");
        }
        return result.Select(Path.GetFullPath).ToList();
    }

    /// <summary>A progress bar on a terminal; nothing on a pipe, so scripts get clean output.</summary>
    private static async Task<T> WithProgress<T>(string label, int files, long bytes, bool quiet, Func<IProgress<TransferProgress>, Task<T>> work)
    {
        if (quiet || Console.IsOutputRedirected) return await work(new Progress<TransferProgress>());
        T result = default!;
        await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
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
