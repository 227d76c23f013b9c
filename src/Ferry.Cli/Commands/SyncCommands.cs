using System.CommandLine;
using Ferry.Cli.Output;
using Ferry.Client.Http;
using Ferry.Client.Sync;
using Ferry.Client.Sync.Daemon;
using Ferry.Core.Configuration;
using Ferry.Core.Sync;

namespace Ferry.Cli.Commands;

/// <summary>`ferry sync rses|accounts|links|replicas`: bring this server's catalogue in line with another one's.</summary>
internal static class SyncCommands
{
    public static Command Build()
    {
        var from = new Option<string>("--from") { Required = true, Description = "The source: a server URL (password in FERRY_SOURCE_PASSWORD or token in FERRY_SOURCE_TOKEN) or a replica dump (JSON lines)" };
        var fromOptional = new Option<string?>("--from") { Description = "A source server whose distances to copy (default: distances by policy from RSE attributes)" };
        var fromAccount = new Option<string?>("--from-account") { Description = "Account on the source server (default root)" };
        var select = new Option<string?>("--select") { Description = "Only RSEs whose name matches this regular expression" };
        var exclude = new Option<string?>("--exclude") { Description = "Leave out RSEs whose name matches this regular expression" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would change, change nothing" };
        var json = Common.JsonOption();

        var allowRepoint = new Option<bool>("--allow-repoint") { Description = "Let the source's protocols replace those of an RSE that already holds replicas here (its files are then looked for at the new place)" };
        var rses = new Command("rses", "Create or update RSEs (settings, attributes, protocols) from the source; refuses RSEs whose lfn2pfn mapping differs, and repointing an RSE that holds replicas")
            .With(from, fromAccount, select, exclude, allowRepoint, dryRun, json);
        rses.SetAction(async (pr, ct) =>
        {
            using var source = await OpenAsync(pr.GetValue(from)!, pr.GetValue(fromAccount), ct);
            var server = source.Server ?? throw new UsageException($"{source.Describe} is a dump: RSEs come from a server (--from URL)");
            using var target = Common.Client();
            var report = await new RseSync(server, target, new SyncFilter(pr.GetValue(select), pr.GetValue(exclude)), pr.GetValue(dryRun), pr.GetValue(allowRepoint)).RunAsync(ct);
            return Print(report, pr.GetValue(json));
        });

        var accounts = new Command("accounts", "Make one service account per RSE (named after it), idempotently").With(select, exclude, dryRun, json);
        accounts.SetAction(async (pr, ct) =>
        {
            using var target = Common.Client();
            return Print(await new AccountSync(target, new SyncFilter(pr.GetValue(select), pr.GetValue(exclude)), pr.GetValue(dryRun)).RunAsync(ct), pr.GetValue(json));
        });

        var sameSite = new Option<int>("--same-site") { DefaultValueFactory = _ => 1, Description = "Distance between RSEs with the same 'site' attribute" };
        var sameRegion = new Option<int>("--same-region") { DefaultValueFactory = _ => 2, Description = "Distance within the same region (region, region_code or country_name)" };
        var other = new Option<int>("--other") { DefaultValueFactory = _ => 3, Description = "Distance between all other RSEs" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace distances that already exist and differ" };
        var disable = new Option<bool>("--disable") { Description = "No link between RSEs the policy calls 'other'" };
        var links = new Command("links", "Set distances between RSEs by policy (same site, same region, other) or as the source has them")
            .With(fromOptional, fromAccount, select, exclude, sameSite, sameRegion, other, overwrite, disable, dryRun, json);
        links.SetAction(async (pr, ct) =>
        {
            using var source = pr.GetValue(fromOptional) is { } f ? await OpenAsync(f, pr.GetValue(fromAccount), ct) : null;
            if (source is { Server: null }) throw new UsageException($"{source.Describe} is a dump: distances come from a server (--from URL)");
            using var target = Common.Client();
            var policy = new LinkPolicy(pr.GetValue(sameSite), pr.GetValue(sameRegion), pr.GetValue(other));
            var report = await new LinkSync(target, source?.Server, new SyncFilter(pr.GetValue(select), pr.GetValue(exclude)), policy,
                pr.GetValue(overwrite), pr.GetValue(disable), pr.GetValue(dryRun)).RunAsync(ct);
            return Print(report, pr.GetValue(json));
        });

        var rse = new Option<string>("--rse") { Required = true, Description = "The RSE whose replicas to sync" };
        var chunk = new Option<int>("--chunk") { DefaultValueFactory = _ => 500, Description = "Files per request when adding and removing (at most 1000)" };
        var allowClean = new Option<bool>("--allow-clean") { Description = "Allow a sync that would remove every replica the RSE holds" };
        var submit = new Option<bool>("--submit") { Description = "Apply the changes (without it: a dry run)" };
        var account = new Option<string?>("--account") { Description = "Account owning the rules created (default: the RSE's sync account, else you)" };
        var replicas = new Command("replicas", "Diff the RSE's replicas with the source's per dataset and, with --submit, apply it")
            .With(from, fromAccount, rse, chunk, allowClean, submit, account, json);
        replicas.SetAction(async (pr, ct) =>
        {
            if (pr.GetValue(chunk) is < 1 or > 1000) throw new UsageException("--chunk must be between 1 and 1000");
            using var source = await OpenAsync(pr.GetValue(from)!, pr.GetValue(fromAccount), ct);
            using var target = Common.Client();
            var options = new ReplicaSyncOptions(pr.GetValue(rse)!, pr.GetValue(chunk), pr.GetValue(allowClean), pr.GetValue(submit), pr.GetValue(account));
            var (diff, report) = await new ReplicaSync(source, target, options).RunAsync(ct);
            if (pr.GetValue(json))
            {
                Render.Json(new
                {
                    rse = options.Rse, dry_run = report.DryRun, source_files = diff.SourceFiles, target_files = diff.TargetFiles,
                    missing = diff.Missing, extra = diff.Extra, changed = diff.Changed, moved = diff.Moved,
                    datasets = diff.Datasets.Select(d => new
                    {
                        dataset = d.Dataset, missing = d.Missing.Count, extra = d.Extra.Count, changed = d.Changed.Select(c => new { did = c.Source.Did, what = c.What }),
                        moved_in = d.Attach.Count, moved_out = d.Detach.Count,
                    }),
                    moves = diff.Moves.Select(m => new { did = m.File.Did, from = m.From, to = m.To }), notes = report.Notes,
                });
                return 0;
            }
            Console.Out.WriteLine($"{options.Rse}: source {diff.SourceFiles} file(s), target {diff.TargetFiles}: {diff.Missing} missing, {diff.Extra} extra, {diff.Changed} changed, {diff.Moved} moved");
            return Print(report, false);
        });
        return new Command("sync", "Keep this server's catalogue in step with another Ferry or Rucio server, or a dump").With(rses, accounts, links, replicas, BuildRun());
    }

    private static Command BuildRun()
    {
        var config = new Option<string>("--config") { Required = true, Description = "sync.yaml (or .json): the source, the steps, the RSEs and their run windows; re-read every cycle" };
        var once = new Option<bool>("--once") { Description = "One cycle, then exit: 0 if every unit succeeded, 1 if one failed (for cron)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Diff and log, change nothing" };
        var metrics = new Option<string?>("--metrics-file") { Description = "Write the daemon's figures here in the Prometheus text format after every cycle" };
        var run = new Command("run", "The sync daemon: runs the config's steps every interval; a bad edit of the config keeps the last good one")
            .With(config, once, dryRun, metrics);
        run.SetAction(async (pr, ct) =>
        {
            using var target = Common.Client();
            var daemon = new SyncDaemon(pr.GetValue(config)!, (c, token) => OpenAsync(c.Source, c.SourceAccount, token), target, Console.Error, TimeProvider.System,
                new SyncDaemonOptions(pr.GetValue(dryRun), pr.GetValue(metrics)));
            daemon.Start();
            if (pr.GetValue(once)) return await daemon.CycleAsync(ct) == 0 ? 0 : 1;
            await daemon.RunAsync(ct);
            return 0;
        });
        return run;
    }

    private static Task<ISyncSource> OpenAsync(string from, string? account, CancellationToken ct) =>
        SyncSources.OpenAsync(from, account, FerryEnvironment.Process, ct);

    private static int Print(SyncReport report, bool json)
    {
        if (json)
        {
            Render.Json(new { dry_run = report.DryRun, changes = report.Changes, refused = report.Refused, notes = report.Notes });
            return report.Refused.Count == 0 ? 0 : 1;
        }
        foreach (var c in report.Changes) Console.Out.WriteLine((report.DryRun ? "would: " : "") + c);
        foreach (var n in report.Notes) Console.Out.WriteLine("note: " + n);
        foreach (var r in report.Refused) Console.Error.WriteLine("ferry: refused " + r);
        if (report.Changes.Count == 0 && report.Refused.Count == 0) Console.Out.WriteLine("nothing to change");
        else if (report.DryRun && report.Changes.Count > 0) Console.Out.WriteLine("dry run: nothing was changed");
        return report.Refused.Count == 0 ? 0 : 1;
    }
}
