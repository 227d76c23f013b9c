using System.CommandLine;
using Ferry.Cli.Output;
using Ferry.Client.Site;

namespace Ferry.Cli.Commands;

/// <summary>`ferry site run` (the per-site daemon), `ferry subscription ...` and `ferry retention ...`.</summary>
internal static class SiteCommands
{
    public static IEnumerable<Command> Build() => [BuildSite(), SubscriptionCommands.Build(), BuildRetention()];

    private static Command BuildSite()
    {
        var config = new Option<string>("--config") { Required = true, Description = "site.yaml or site.json: the tasks and their settings" };
        var once = new Option<bool>("--once") { Description = "Run every task once and exit (for cron): 0 if all succeeded, 1 if one failed" };
        var only = new Option<string?>("--only") { Description = "Run only these tasks, e.g. subscriptions,retention" };
        var dids = new Option<string?>("--dids") { Description = "Work only on the files of these DIDs, SCOPE:NAME[,...] (datasets and containers expanded)" };
        var didsFile = new Option<string?>("--dids-file") { Description = "Like --dids, one DID a line" };
        var run = new Command("run", "Run the site's tasks (subscriptions, retention, stalled-transfers, checksum-audit, consistency); one failing task never stops the others")
            .With(config, once, only, dids, didsFile);
        run.SetAction(async (pr, ct) =>
        {
            var selected = pr.GetValue(only)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var restriction = SiteDids.Read(pr.GetValue(dids), pr.GetValue(didsFile));
            using var c = Common.Client();
            var tasks = SiteConfig.Load(pr.GetValue(config)!, c, selected, restriction);
            if (restriction is not null) await SiteDids.RequireExistingAsync(c, restriction, ct);
            var runner = new SiteRunner(tasks, Console.Error, TimeProvider.System);
            if (pr.GetValue(once)) return await runner.RunOnceAsync(ct) == 0 ? 0 : 1;
            await runner.RunAsync(ct);
            return 0;
        });
        return new Command("site", "The per-site daemon").With(run);
    }

    private static Command BuildRetention()
    {
        var rse = new Argument<string>("rse");
        var json = Common.JsonOption();
        var copies = new Option<int>("--min-copies") { Required = true, Description = "Verified copies that must exist on other RSEs" };
        var days = new Option<double>("--min-age-days") { Required = true, Description = "Age before the copy may go" };
        var ageBy = new Option<string>("--age-by") { DefaultValueFactory = _ => "created", Description = "What the age counts from: created, or access (last read, from traces; creation if never read)" };
        ageBy.AcceptOnlyFromAmong("created", "access");
        var set = new Command("set", "Set an RSE's retention policy").With(rse, copies, days, ageBy, json);
        set.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.Object(await c.SetRetentionAsync(pr.GetValue(rse)!, pr.GetValue(copies), pr.GetValue(days), ct, pr.GetValue(ageBy)!), pr.GetValue(json));
            return 0;
        });
        var list = new Command("list", "List retention policies").With(json);
        list.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List((await c.ListRetentionAsync(ct)).EnumerateArray().ToList(), pr.GetValue(json), "rse", "min_copies", "min_age_days", "age_by");
            return 0;
        });
        var dry = new Command("dry-run", "What the RSE's policy would delete now, and why each replica stays or goes").With(rse, json);
        dry.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            var items = (await c.RetentionDryRunAsync(pr.GetValue(rse)!, ct)).EnumerateArray().ToList();
            Render.List(items, pr.GetValue(json), "scope", "name", "bytes", "delete", "reason");
            return 0;
        });
        return new Command("retention", "Retention policies: when a site's copy may go").With(set, list, dry);
    }
}
