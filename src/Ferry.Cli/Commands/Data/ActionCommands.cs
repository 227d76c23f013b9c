using System.CommandLine;
using Ferry.Client.Data;

namespace Ferry.Cli.Commands.Data;

/// <summary>`ferry data replicate|extend|delete`: bulk rule actions over a selection, dry run unless --submit.</summary>
internal static class ActionCommands
{
    public static Command Replicate()
    {
        var selection = new SelectionOptions();
        var runner = new ActionRunner();
        var expr = new Option<string>("--rse-expr") { Required = true, Description = "Where the copies go, e.g. 'tier=1&type=DISK'" };
        var copies = new Option<int>("--copies") { DefaultValueFactory = _ => 1, Description = "Copies on distinct RSEs" };
        var lifetime = new Option<string?>("--lifetime") { Description = "Rule lifetime, e.g. 30d (default: none)" };
        var grouping = new Option<string>("--grouping") { DefaultValueFactory = _ => "DATASET", Description = "ALL, DATASET or NONE" };
        grouping.AcceptOnlyFromAmong("ALL", "DATASET", "NONE");
        var activity = new Option<string?>("--activity") { Description = "Transfer activity (default 'User Subscriptions')" };
        var comment = new Option<string?>("--comment");
        var account = new Option<string?>("--account") { Description = "Account the rules belong to (admin only for others)" };
        var cmd = new Command("replicate", "One rule per selected DID on --rse-expr; a DID that already has the account's rule there is reported as 'exists'")
            .With(expr, copies, lifetime, grouping, activity, comment, account);
        selection.AddTo(cmd);
        runner.AddTo(cmd);
        cmd.SetAction(async (pr, ct) =>
        {
            if (pr.GetValue(copies) < 1) throw new UsageException("--copies must be at least 1");
            var request = new ReplicateRequest(Common.Expression(pr.GetValue(expr)!), pr.GetValue(copies), Common.Duration(pr.GetValue(lifetime)), pr.GetValue(grouping)!,
                pr.GetValue(activity), pr.GetValue(comment), pr.GetValue(account));
            var sel = selection.Read(pr);
            using var c = Common.Client();
            // Creating a rule places its locks: smaller pages keep each transaction short.
            var page = Math.Min(sel.ActionPage, 200);
            var action = new BulkAction((dids, t) => c.ReplicateDataAsync(dids, request, dryRun: true, t),
                (planned, t) => c.ReplicateDataAsync(planned.Select(p => new Core.Identifiers.DidRef(p.Scope, p.Name)).ToList(), request, dryRun: false, t), page);
            return await runner.RunAsync(pr, "replicate", sel, c, action, ct);
        });
        return cmd;
    }

    public static Command Extend()
    {
        var selection = new SelectionOptions();
        var runner = new ActionRunner();
        var lifetime = new Option<string>("--lifetime") { Required = true, Description = "New expiry = max(current, now + DUR), e.g. 30d" };
        var allowShorten = new Option<bool>("--allow-shorten") { Description = "Set now + DUR even where the rule would expire earlier (or never)" };
        var account = new Option<string?>("--account") { Description = "Whose rules (default: yours)" };
        var cmd = new Command("extend", "Extend the selected DIDs' rules (only those on --has-rule-on / expiring within --rule-expires-within, when given); never shortens without --allow-shorten")
            .With(lifetime, allowShorten, account);
        selection.AddTo(cmd);
        runner.AddTo(cmd);
        cmd.SetAction(async (pr, ct) =>
        {
            var seconds = Common.Duration(pr.GetValue(lifetime))!.Value;
            var shorten = pr.GetValue(allowShorten);
            var sel = selection.Read(pr);
            var scope = selection.RuleScope(pr, pr.GetValue(account));
            using var c = Common.Client();
            var action = new BulkAction((dids, t) => c.PlanExtendAsync(dids, scope, seconds, shorten, t), (planned, t) => c.ExtendRulesAsync(planned, shorten, t), sel.ActionPage);
            return await runner.RunAsync(pr, "extend", sel, c, action, ct);
        });
        return cmd;
    }

    public static Command Delete()
    {
        var selection = new SelectionOptions();
        var runner = new ActionRunner();
        var purge = new Option<bool>("--purge-replicas") { Description = "Also delete the replicas at once (without it they stay until the reaper's usual clean-up)" };
        var account = new Option<string?>("--account") { Description = "Whose rules (default: yours)" };
        var cmd = new Command("delete", "Delete the selected DIDs' rules (only those on --has-rule-on / expiring within --rule-expires-within, when given)").With(purge, account);
        selection.AddTo(cmd);
        runner.AddTo(cmd);
        cmd.SetAction(async (pr, ct) =>
        {
            var sel = selection.Read(pr);
            var scope = selection.RuleScope(pr, pr.GetValue(account));
            var purgeReplicas = pr.GetValue(purge);
            using var c = Common.Client();
            var action = new BulkAction((dids, t) => c.PlanDeleteAsync(dids, scope, t), (planned, t) => c.DeleteRulesAsync(planned, purgeReplicas, t), sel.ActionPage);
            return await runner.RunAsync(pr, "delete", sel, c, action, ct);
        });
        return cmd;
    }
}
