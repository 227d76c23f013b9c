using Ferry.Core.Dialect;
using System.CommandLine;
using Ferry.Cli.Output;

namespace Ferry.Cli.Commands;

internal static class ScopeCommands
{
    public static Command Build()
    {
        var scope = new Argument<string>("scope") { Description = "Scope name, e.g. user.jdoe" };
        var account = new Option<string?>("--account") { Description = "Owner (default: your account)" };
        var add = new Command("add", "Add a scope").With(scope, account);
        add.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            if (c.Account is null) await c.LoginAsync(ct);
            await c.AddScopeAsync(pr.GetValue(account) ?? c.Account!, pr.GetValue(scope)!, ct);
            Console.Out.WriteLine($"Added scope {pr.GetValue(scope)}");
            return 0;
        });
        var json = Common.JsonOption();
        var list = new Command("list", "List scopes and their owners").With(json);
        list.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List(await c.ScopesWithOwnersAsync(ct), DialectJson.Default.RucioScopeOwner, pr.GetValue(json), "scope", "account");
            return 0;
        });
        return new Command("scope", "Scopes: namespaces for DIDs, owned by accounts").With(add, list);
    }
}
