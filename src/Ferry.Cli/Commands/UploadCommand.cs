using System.CommandLine;
using System.Diagnostics;
using Ferry.Cli.Output;
using Ferry.Transfer;
using Ferry.Transfer.Upload;
using Ferry.Core.Identifiers;
using Spectre.Console;

namespace Ferry.Cli.Commands;

/// <summary>`ferry upload`: catalogue, then upload with resume, bulk registration and a summary (see docs/upload.md).</summary>
internal static class UploadCommand
{
    public static Command Build()
    {
        var paths = new Argument<string[]>("paths") { Arity = ArgumentArity.OneOrMore, Description = "Files, or directories whose files are uploaded" };
        var rse = new Option<string>("--rse") { Required = true, Description = "RSE the files end up on (a rule is added there)" };
        var scope = new Option<string>("--scope") { Required = true, Description = "Scope of the new file DIDs" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Walk directories to the bottom (default: only the files directly inside)" };
        var glob = new Option<string[]>("--glob") { Description = "Only files whose path relative to the PATH directory matches (repeatable; * within a directory, ** across; implies --recursive)", AllowMultipleArgumentsPerToken = false };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset to attach the files to (NAME or scope:NAME), created if absent; the upload's rule is on it" };
        var container = new Option<string?>("--container") { Description = "Container to attach the dataset to (NAME or scope:NAME), created if absent; needs --dataset" };
        var lifetime = new Option<string?>("--lifetime") { Description = "Lifetime of the upload's rule on --rse, e.g. 30d (default: none)" };
        var tempRse = new Option<string?>("--temp-rse") { Description = "Upload to this RSE, then add a rule to --rse; the copy here is kept by a rule with --temp-lifetime" };
        var tempLifetime = new Option<string>("--temp-lifetime") { DefaultValueFactory = _ => "1h", Description = "Lifetime of the rule on --temp-rse (the reaper keeps the copy while it is the only one)" };
        var parallel = new Option<int>("--parallel") { DefaultValueFactory = _ => 4, Description = "Parallel copy streams" };
        var batchSize = new Option<int>("--batch-size") { DefaultValueFactory = _ => 500, Description = "Files per registration, attachment and rule request (at most 1000)" };
        var summary = new Option<string?>("--summary") { Description = "Write a JSON summary of every file here (atomically, also on Ctrl-C)" };
        var journal = new Option<string?>("--journal") { Description = "Resume journal (default: SUMMARY.journal beside --summary, else ~/.cache/ferry/upload-KEY.journal)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Catalogue and compare with the catalogue, upload nothing" };
        var nameFrom = new Option<string>("--name-from") { DefaultValueFactory = _ => "relative", Description = "DID names from the path relative to PATH (relative) or the file name alone (basename)" };
        nameFrom.AcceptOnlyFromAmong("relative", "basename");
        var meta = new Option<string[]>("--meta") { Description = "key=value metadata set on every file DID (repeatable)", AllowMultipleArgumentsPerToken = false };
        var sanitize = new Option<bool>("--sanitize-names") { Description = "Map invalid names to valid ones: characters other than letters, digits, '.', '-', '_', '/' become '_'" };
        var md5 = new Option<bool>("--md5") { Description = "Also compute md5 in the same pass (adler32 is always computed)" };
        var json = Common.JsonOption();
        var cmd = new Command("upload", "Upload files to an RSE, verified and registered in bulk, resumable").With(paths, rse, scope, recursive, glob, dataset, container,
            lifetime, tempRse, tempLifetime, parallel, batchSize, summary, journal, dryRun, nameFrom, meta, sanitize, md5, json);
        cmd.SetAction(async (pr, ct) =>
        {
            var s = Names.Scope(pr.GetValue(scope)!);
            DidRef? Collection(string? text) => text is null ? null : text.Contains(':') ? Common.Did(text) : new DidRef(s, Names.DidName(text));
            var ds = Collection(pr.GetValue(dataset));
            var cont = Collection(pr.GetValue(container));
            if (cont is not null && ds is null) throw new UsageException("--container needs --dataset: files are attached to the dataset, the dataset to the container");
            var metadata = new Dictionary<string, string>();
            foreach (var m in pr.GetValue(meta) ?? [])
            {
                var eq = m.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new UsageException($"--meta '{m}': write key=value");
                metadata[m[..eq]] = m[(eq + 1)..];
            }
            var quiet = pr.GetValue(json);
            var request = new CatalogueRequest(pr.GetValue(paths)!, s, pr.GetValue(recursive), pr.GetValue(glob) ?? [],
                pr.GetValue(nameFrom) == "basename" ? NameFrom.Basename : NameFrom.Relative, pr.GetValue(sanitize));
            var sw = Stopwatch.StartNew();
            var entries = Catalogue.Build(request, quiet ? null : (n, b) => CatalogueLine(n, b, final: false));
            var total = entries.Sum(e => e.Bytes);
            if (!quiet) CatalogueLine(entries.Count, total, final: true);
            if (entries.Count == 0) throw new UsageException("no files to upload");

            using var c = Common.Client();
            var summaryPath = pr.GetValue(summary);
            string?[] identity = [c.Settings.Url, c.Account, pr.GetValue(rse), pr.GetValue(tempRse), s, ds?.ToString(), cont?.ToString(), pr.GetValue(nameFrom),
                pr.GetValue(sanitize).ToString(), pr.GetValue(recursive).ToString(), string.Join("\u0001", pr.GetValue(glob) ?? []),
                .. pr.GetValue(paths)!.Select(Path.GetFullPath).Order(StringComparer.Ordinal)];
            var journalPath = pr.GetValue(journal) ?? UploadSummary.DefaultJournal(summaryPath, identity);
            // Without --dataset the batch still gets one rule, not one per file: on a dataset named after the upload,
            // so that running the same command again resumes into the same dataset.
            if (ds is null)
            {
                ds = new DidRef(s, $"upload.{UploadSummary.Key(identity)}");
                if (!quiet) Console.Error.WriteLine($"ferry: no --dataset given: the files go into dataset {ds}, which holds the upload's rule");
            }
            var options = new UploadOptions
            {
                Rse = Names.Rse(pr.GetValue(rse)), TempRse = pr.GetValue(tempRse) is { } t ? Names.Rse(t) : null, TempLifetime = Common.Duration(pr.GetValue(tempLifetime)) ?? 3600,
                Dataset = ds, Container = cont, Lifetime = Common.Duration(pr.GetValue(lifetime)), Parallel = Math.Max(1, pr.GetValue(parallel)),
                BatchSize = Math.Clamp(pr.GetValue(batchSize), 1, 1000), Md5 = pr.GetValue(md5), Meta = metadata, DryRun = pr.GetValue(dryRun),
                JournalPath = journalPath,
            };
            var label = options.DryRun ? "Checking" : $"Uploading to {options.WriteRse}";
            var report = await TransferCommands.WithProgress(label, entries.Count, total, quiet, p => new Uploader(c, Common.Clock).RunAsync(entries, options, p, ct));
            var context = new SummaryContext(s, options.Rse, options.TempRse, ds?.ToString(), cont?.ToString(), options.JournalPath, options.DryRun);
            if (summaryPath is not null) UploadSummary.Write(summaryPath, report, context);
            Finish(report, quiet, total, sw.Elapsed, summaryPath, context);
            if (report.Interrupted) return 130;
            return report.Succeeded ? 0 : 1;
        });
        return cmd;
    }

    /// <summary>The catalogue's progress on stderr: rewritten in place on a terminal, one closing line otherwise.</summary>
    private static void CatalogueLine(int files, long bytes, bool final)
    {
        var text = $"catalogue: {files} files, {Render.Bytes(bytes)}";
        if (!Console.IsErrorRedirected) Console.Error.Write($"\r{text}{(final ? "\n" : "")}");
        else if (final) Console.Error.WriteLine(text);
    }

    private static void Finish(UploadReport report, bool json, long total, TimeSpan elapsed, string? summaryPath, SummaryContext context)
    {
        var files = report.Files;
        if (json)
        {
            using (var stdout = Console.OpenStandardOutput()) UploadSummary.WriteTo(stdout, report, context);
            Console.Out.WriteLine();
        }
        var failed = files.Where(f => f.Status == UploadStatus.Failed).ToList();
        foreach (var f in failed.Take(20)) Console.Error.WriteLine($"ferry: {f.Entry.LocalPath}: {f.Error}");
        if (failed.Count > 20) Console.Error.WriteLine($"ferry: ... and {failed.Count - 20} more failed files{(summaryPath is null ? "" : $" (all in {summaryPath})")}");
        foreach (var w in report.Warnings) Console.Error.WriteLine($"ferry: warning: {w}");
        foreach (var e in report.Errors) Console.Error.WriteLine($"ferry: {e}");
        if (report.Interrupted)
            Console.Error.WriteLine($"ferry: interrupted; {files.Count(f => f.Status == UploadStatus.Pending)} files not finished: run the same command again to resume");
        if (json) return;
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        if (context.DryRun)
            Console.Out.WriteLine($"dry run: {files.Count(f => f.Status == UploadStatus.Planned)} files ({Render.Bytes(files.Where(f => f.Status == UploadStatus.Planned).Sum(f => f.Entry.Bytes))}) would be uploaded, "
                + $"{files.Count(f => f.Status == UploadStatus.AlreadyPresent)} already present; nothing was uploaded");
        else
            Console.Out.WriteLine($"{files.Count(f => f.Status == UploadStatus.Uploaded)} uploaded, {files.Count(f => f.Status == UploadStatus.AlreadyPresent)} already present, "
                + $"{failed.Count} failed ({Render.Bytes(total)} in {seconds:F1} s, {files.Count / seconds:F0} files/s)");
        if (failed.Count > 0)
            Console.Error.WriteLine("failed: " + string.Join(", ", failed.GroupBy(f => f.Kind).OrderBy(g => g.Key).Select(g => $"{g.Count()} {UploadErrors.Wire(g.Key)}")));
    }
}
