using Ferry.Core.Dialect;
using System.CommandLine;
using System.Text.Json.Nodes;
using Ferry.Cli.Output;
using Ferry.Client.Http;

namespace Ferry.Cli.Commands;

internal static class RuleCommands
{
    private static readonly string[] Columns = ["id", "account", "scope", "name", "state", "rse_expression", "copies", "expires_at"];

    public static Command Build()
    {
        var dids = new Argument<string[]>("dids") { Arity = ArgumentArity.OneOrMore, Description = "scope:name of the DIDs (one rule each)" };
        var expr = new Option<string>("--rse-expr") { Description = "Where the copies go, e.g. 'tier=1&type=DISK'", Required = true };
        var copies = new Option<int>("--copies") { Description = "Number of copies on distinct RSEs", DefaultValueFactory = _ => 1 };
        var lifetime = new Option<string?>("--lifetime") { Description = "Rule lifetime, e.g. 30d (default: none)" };
        var grouping = new Option<string>("--grouping") { Description = "ALL, DATASET or NONE", DefaultValueFactory = _ => "DATASET" };
        grouping.AcceptOnlyFromAmong("ALL", "DATASET", "NONE");
        var comment = new Option<string?>("--comment");
        var locked = new Option<bool>("--locked") { Description = "Protect the rule from deletion" };
        var weight = new Option<string?>("--weight") { Description = "RSE attribute whose numeric value weighs the choice of RSEs" };
        var sourceExpr = new Option<string?>("--source-expr") { Description = "Only replicas on RSEs this expression selects may serve as transfer sources" };
        var activity = new Option<string?>("--activity") { Description = "Transfer activity, e.g. 'User Subscriptions' (the default)" };
        var purgeOnExpiry = new Option<bool>("--purge-replicas") { Description = "Delete the replicas at once when the rule goes" };
        var ignoreAvailability = new Option<bool>("--ignore-availability") { Description = "Allow write-blocked RSEs" };
        var account = new Option<string?>("--account") { Description = "Account the rule belongs to and is charged to (admin only for others)" };
        var add = new Command("add", "Add replication rules; prints the rule ids").With(dids, expr, copies, lifetime, grouping, comment, locked, weight, sourceExpr, activity,
            purgeOnExpiry, ignoreAvailability, account);
        add.SetAction(async (pr, ct) =>
        {
            var targets = pr.GetValue(dids)!.Select(Common.Did).ToList();
            var life = Common.Duration(pr.GetValue(lifetime));
            if (pr.GetValue(copies) < 1) throw new UsageException("--copies must be at least 1");
            using var c = Common.Client();
            var ids = await c.AddRulesAsync(new RuleRequest(targets, pr.GetValue(expr)!, pr.GetValue(copies), life, pr.GetValue(grouping)!, pr.GetValue(comment),
                pr.GetValue(locked), pr.GetValue(account), pr.GetValue(weight), pr.GetValue(sourceExpr), pr.GetValue(activity), pr.GetValue(purgeOnExpiry),
                pr.GetValue(ignoreAvailability)), ct);
            foreach (var id in ids) Console.Out.WriteLine(id);
            return 0;
        });

        var json = Common.JsonOption();
        var didFilter = new Option<string?>("--did") { Description = "Rules on this DID" };
        var ofAccount = new Option<string?>("--account") { Description = "Rules of this account" };
        var list = new Command("list", "List rules").With(didFilter, ofAccount, json);
        list.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            var rows = pr.GetValue(didFilter) is { } d ? await c.DidRulesAsync(Common.Did(d), ct) : await c.ListRulesAsync(pr.GetValue(ofAccount), ct);
            if (pr.GetValue(didFilter) is not null && pr.GetValue(ofAccount) is { } a) rows = rows.Where(r => r.Account == a).ToList();
            Render.List(rows, DialectJson.Default.RucioRule, pr.GetValue(json), Columns);
            return 0;
        });

        var id = new Argument<string>("id") { Description = "Rule id" };
        var show = new Command("show", "Show a rule, with its state and lock counts").With(id, json);
        show.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.Object(await c.GetRuleAsync(pr.GetValue(id)!, ct), DialectJson.Default.RucioRule, pr.GetValue(json));
            return 0;
        });

        var locks = new Command("locks", "List a rule's locks (file x RSE)").With(id, json);
        locks.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List(await c.RuleLocksAsync(pr.GetValue(id)!, ct), DialectJson.Default.RucioLock, pr.GetValue(json), "scope", "name", "rse", "state");
            return 0;
        });

        var newLifetime = new Option<string?>("--lifetime") { Description = "New lifetime from now, e.g. 7d, or 'none' to keep forever" };
        var newLocked = new Option<bool?>("--locked") { Description = "true or false" };
        var newComment = new Option<string?>("--comment");
        var newState = new Option<string?>("--state") { Description = "SUSPENDED (the judge leaves the rule alone) or STUCK" };
        newState.AcceptOnlyFromAmong("SUSPENDED", "STUCK");
        var update = new Command("update", "Change a rule's lifetime, lock, comment or state").With(id, newLifetime, newLocked, newComment, newState);
        update.SetAction(async (pr, ct) =>
        {
            var options = new JsonObject();
            if (pr.GetValue(newLifetime) is { } l) options["lifetime"] = l == "none" ? null : Common.Duration(l);
            if (pr.GetValue(newLocked) is { } lk) options["locked"] = lk;
            if (pr.GetValue(newComment) is { } cm) options["comment"] = cm;
            if (pr.GetValue(newState) is { } st) options["state"] = st;
            if (options.Count == 0) throw new UsageException("nothing to change: give --lifetime, --locked, --comment or --state");
            using var c = Common.Client();
            await c.UpdateRuleAsync(pr.GetValue(id)!, options, ct);
            return 0;
        });

        var purge = new Option<bool>("--purge-replicas") { Description = "Delete the replicas as soon as no rule needs them" };
        var now = new Option<bool>("--now") { Description = "Remove the rule at once (Rucio's delete only schedules expiry within the hour)" };
        var delete = new Command("delete", "Delete a rule").With(id, purge, now);
        delete.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.DeleteRuleAsync(pr.GetValue(id)!, pr.GetValue(purge) ? true : null, pr.GetValue(now), ct);
            Console.Out.WriteLine(pr.GetValue(now) ? $"Deleted rule {pr.GetValue(id)}" : $"Rule {pr.GetValue(id)} expires within the hour");
            return 0;
        });

        var moveExpr = new Option<string>("--rse-expr") { Required = true, Description = "The new RSE expression" };
        var move = new Command("move", "Move a rule to a new RSE expression: the new rule is made now, the old one goes once it is OK; prints the new id").With(id, moveExpr);
        move.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Console.Out.WriteLine(await c.MoveRuleAsync(pr.GetValue(id)!, pr.GetValue(moveExpr)!, ct));
            return 0;
        });

        var historyDid = new Argument<string>("did");
        var history = new Command("history", "Every rule ever made on a DID").With(historyDid, json);
        history.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List(await c.RuleHistoryAsync(Common.Did(pr.GetValue(historyDid)!), ct), DialectJson.Default.RucioRuleHistory, pr.GetValue(json), "rule_id", "account", "rse_expression", "rses", "state", "created_at", "updated_at");
            return 0;
        });
        return new Command("rule", "Replication rules").With(add, list, show, locks, update, move, delete, history, Watch.RuleWatchCommand.Build());
    }
}
