using System.CommandLine;
using Ferry.Cli.Output;
using Ferry.Client.Http;
using Ferry.Core.Dialect;

namespace Ferry.Cli.Commands;

internal static class ReplicaCommands
{
    public static Command Build()
    {
        var dids = new Argument<string[]>("dids") { Arity = ArgumentArity.OneOrMore, Description = "scope:name of files or collections" };
        var all = new Option<bool>("--all-states") { Description = "Include replicas that are not AVAILABLE" };
        var rse = new Option<string?>("--rses") { Description = "Only replicas on RSEs this expression selects" };
        var json = Common.JsonOption();
        var list = new Command("list", "List the replicas of files (collections are resolved to their files)").With(dids, all, rse, json);
        list.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            var rows = await c.ListReplicasAsync(pr.GetValue(dids)!.Select(Common.Did), pr.GetValue(all), pr.GetValue(rse), ct);
            if (pr.GetValue(json)) { Render.Json(rows, DialectJson.Default.RucioReplica); return 0; }
            var flat = rows.SelectMany(r => r.States is { } states
                ? states.Select(x => $"{r.Scope}:{r.Name}\t{x.Key}\t{x.Value}\t{r.Bytes}\t{r.Adler32}")
                : [$"{r.Scope}:{r.Name}\t-\t(no replica)\t{r.Bytes}\t{r.Adler32}"]);
            Console.Out.WriteLine("DID\tRSE\tSTATE\tBYTES\tADLER32");
            foreach (var line in flat) Console.Out.WriteLine(line);
            return 0;
        });
        var files = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "scope:name of the files" };
        var badRse = new Option<string>("--rse") { Required = true, Description = "The RSE holding the bad copies" };
        var reason = new Option<string>("--reason") { Required = true, Description = "Why they are bad (kept with the rule's error)" };
        var bad = new Command("declare-bad", "Declare replicas corrupted or lost: rules copy them again from a good replica").With(files, badRse, reason, json);
        bad.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            var failures = await c.DeclareBadAsync(pr.GetValue(files)!.Select(f => (Common.Did(f), pr.GetValue(badRse)!)), pr.GetValue(reason)!, ct);
            if (pr.GetValue(json)) { Render.Json(failures); return 0; }
            var problems = failures.SelectMany(r => r.Value.Select(v => $"{r.Key}: {v}")).ToList();
            foreach (var p in problems) Console.Error.WriteLine($"ferry: {p}");
            return problems.Count == 0 ? 0 : 1;
        });
        var file = new Argument<string>("file") { Description = "scope:name of the file" };
        var toRse = new Option<string>("--rse") { Required = true, Description = "The destination RSE" };
        var history = new Option<bool>("--history") { Description = "The last finished request instead of the one waiting or copying" };
        var request = new Command("request", "Show the transfer bringing a file to an RSE: state, source, attempts, last error").With(file, toRse, history, json);
        request.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            var r = await c.GetRequestAsync(Common.Did(pr.GetValue(file)!), pr.GetValue(toRse)!, pr.GetValue(history), ct);
            if (pr.GetValue(json)) { Render.Object(r, DialectJson.Default.RucioRequest, json: true); return 0; }
            Console.Out.WriteLine($"{r.Scope}:{r.Name} -> {r.DestRse}: {r.State}, from {r.SourceRse ?? "(not chosen yet)"}, {r.RetryCount} failed attempt(s), rule {r.RuleId ?? "-"}");
            if (r.ErrMsg is { } error) Console.Out.WriteLine($"last error: {error}");
            return 0;
        });
        return new Command("replica", "Replicas of files on RSEs").With(list, bad, request);
    }
}
