using System.CommandLine;
using Ferry.Client.Data;
using Ferry.Transfer;
using Ferry.Core.Identifiers;
using Ferry.Core.Selection;

namespace Ferry.Cli.Commands.Data;

/// <summary>`ferry data download`: the selected datasets through the SDK's resumable, verified downloader (DIR/NAME/ per dataset).</summary>
internal static class DownloadCommand
{
    public static Command Build()
    {
        var selection = new SelectionOptions();
        var runner = new ActionRunner();
        var dir = new Option<string>("--dir") { Required = true, Description = "Where the datasets land (DIR/NAME/, a leading '/' of the name dropped); an interrupted run resumes" };
        var parallel = new Option<int>("--parallel") { DefaultValueFactory = _ => 4, Description = "Files in flight" };
        var cmd = new Command("download", "Download the selected datasets, every file verified; prints the plan unless --submit").With(dir, parallel);
        selection.AddTo(cmd);
        runner.AddTo(cmd);
        cmd.SetAction(async (pr, ct) =>
        {
            // Only the selection needs Ferry's API: on a Rucio server its DID search stands in.
            var sel = selection.Read(pr) with { RucioSearchAllowed = true };
            var root = pr.GetValue(dir)!;
            using var c = Common.Client();
            var found = new Dictionary<DidRef, SelectedItem>();
            var action = new BulkAction(async (dids, t) =>
            {
                await Task.CompletedTask;
                return dids.Select(d => new DataResult
                {
                    Scope = d.Scope, Name = d.Name, Outcome = "download",
                    Reason = found.TryGetValue(d, out var i) ? $"{i.Length} file(s), {Output.Render.Bytes(i.Bytes)} -> {Path.Combine(root, DownloadPaths.Below(d.Name))}" : null,
                }).ToList();
            }, async (planned, t) =>
            {
                var results = new List<DataResult>();
                foreach (var p in planned)
                {
                    var files = await new Downloader(c).DownloadAsync([new DidRef(p.Scope, p.Name)], root, Math.Max(1, pr.GetValue(parallel)), ct: t);
                    var failed = files.Where(f => f.Status == DownloadStatus.Failed).ToList();
                    results.Add(p with
                    {
                        Outcome = failed.Count > 0 ? DataOutcome.Failed : files.All(f => f.Status == DownloadStatus.AlreadyPresent) ? DataOutcome.Exists : "downloaded",
                        Reason = failed.Count > 0 ? $"{failed.Count} of {files.Count} file(s) failed: {failed[0].File}: {failed[0].Error}"
                            : files.Count == 0 ? "no AVAILABLE replicas" : $"{files.Count} file(s) verified in {Path.Combine(root, DownloadPaths.Below(p.Name))}",
                    });
                }
                return results;
            }, sel.ActionPage, isWork: o => o == "download");
            return await runner.RunAsync(pr, "download", sel.WithObserver(i => found[i.Did] = i), c, action, ct);
        });
        return cmd;
    }
}
