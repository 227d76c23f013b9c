using System.CommandLine;
using Ferry.Cli.Output;

namespace Ferry.Cli.Commands;

internal static class AuditCommands
{
    public static Command Build()
    {
        var account = new Option<string?>("--account") { Description = "Only writes by this account" };
        var since = new Option<string?>("--since") { Description = "From this time on, oldest first (unix seconds, ISO 8601 or RFC 1123); default: the latest entries" };
        var limit = new Option<int>("--limit") { Description = "At most this many entries (1-10000)", DefaultValueFactory = _ => 100 };
        var json = Common.JsonOption();
        var list = new Command("list", "The audit log of writes and logins: who, what, when, from where, with what result (admin)").With(account, since, limit, json);
        list.SetAction(async (pr, ct) =>
        {
            if (pr.GetValue(limit) is < 1 or > 10_000) throw new UsageException("--limit must be between 1 and 10000");
            using var c = Common.Client();
            var rows = await c.AuditAsync(pr.GetValue(account), pr.GetValue(since), pr.GetValue(limit), ct);
            if (pr.GetValue(json)) { Render.Json(rows); return 0; }
            // A log: one line per entry (tab-separated, greppable), not a table that wraps long paths.
            string[] columns = ["at", "account", "identity", "method", "path", "status", "remote"];
            Console.Out.WriteLine(string.Join('\t', columns.Select(c => c.ToUpperInvariant())));
            foreach (var r in rows) Console.Out.WriteLine(string.Join('\t', columns.Select(c => Render.Cell(r, c))));
            return 0;
        });
        return new Command("audit", "The server's audit log (admin)").With(list);
    }
}
