using Ferry.Core.Dialect;
using System.CommandLine;
using Ferry.Cli.Output;

namespace Ferry.Cli.Commands;

internal static class AccountCommands
{
    public static Command Build()
    {
        var name = new Argument<string>("account");
        var type = new Option<string>("--type") { Description = "USER, GROUP or SERVICE", DefaultValueFactory = _ => "USER" };
        type.AcceptOnlyFromAmong("USER", "GROUP", "SERVICE");
        var email = new Option<string?>("--email");
        var add = new Command("add", "Add an account (admin)").With(name, type, email);
        add.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.AddAccountAsync(pr.GetValue(name)!, pr.GetValue(type)!, pr.GetValue(email), ct);
            Console.Out.WriteLine($"Added account {pr.GetValue(name)}");
            return 0;
        });

        var json = Common.JsonOption();
        var show = new Command("show", "Show an account").With(name, json);
        show.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.Object(await c.GetAccountAsync(pr.GetValue(name)!, ct), DialectJson.Default.RucioAccount, pr.GetValue(json));
            return 0;
        });

        var username = new Option<string?>("--username") { Description = "Login name (default: the account name)" };
        var idType = new Option<string>("--type") { Description = "USERPASS (password from stdin), X509 (a certificate DN) or OIDC (\"SUB=<sub>, ISS=<issuer>\")", DefaultValueFactory = _ => "USERPASS" };
        idType.AcceptOnlyFromAmong("USERPASS", "X509", "OIDC");
        var identity = new Option<string?>("--identity") { Description = "The DN (/DC=org/DC=example/CN=Jane Doe) or OIDC identity; for USERPASS the same as --username" };
        var identityAdd = new Command("add", "Add an identity: USERPASS reads the password from standard input or a prompt (never argv); X509 and OIDC take --identity").With(name, username, idType, identity, email);
        identityAdd.SetAction(async (pr, ct) =>
        {
            var kind = pr.GetValue(idType)!;
            using var c = Common.Client();
            if (kind == "USERPASS")
            {
                var password = ReadPassword();
                await c.AddUserpassAsync(pr.GetValue(name)!, pr.GetValue(username) ?? pr.GetValue(identity) ?? pr.GetValue(name)!, password, ct);
            }
            else
            {
                var id = pr.GetValue(identity) ?? throw new UsageException($"--type {kind} needs --identity");
                await c.AddExternalIdentityAsync(pr.GetValue(name)!, id, kind, pr.GetValue(email), ct);
            }
            Console.Out.WriteLine($"Added {kind} identity for {pr.GetValue(name)}");
            return 0;
        });
        var identityList = new Command("list", "List an account's identities").With(name, json);
        identityList.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List(await c.IdentitiesAsync(pr.GetValue(name)!, ct), DialectJson.Default.RucioIdentity, pr.GetValue(json), "type", "identity", "email");
            return 0;
        });
        var removeType = new Option<string>("--type") { Description = "USERPASS, X509 or OIDC", Required = true };
        removeType.AcceptOnlyFromAmong("USERPASS", "X509", "OIDC");
        var removeId = new Option<string>("--identity") { Description = "The username, DN or OIDC identity", Required = true };
        var identityRemove = new Command("remove", "Remove an identity and end its sessions (admin)").With(name, removeType, removeId);
        identityRemove.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.DeleteIdentityAsync(pr.GetValue(name)!, pr.GetValue(removeId)!, pr.GetValue(removeType)!, ct);
            Console.Out.WriteLine($"Removed {pr.GetValue(removeType)} identity of {pr.GetValue(name)}");
            return 0;
        });
        var usage = new Command("usage", "Bytes and files of an account's rule locks per RSE, with its limits").With(name, json);
        usage.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List(await c.AccountUsageAsync(pr.GetValue(name)!, ct), DialectJson.Default.RucioAccountUsage, pr.GetValue(json), "rse", "files", "bytes", "bytes_limit", "bytes_remaining");
            return 0;
        });

        var list = new Command("list", "List accounts").With(json);
        list.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List(await c.ListAccountsAsync(ct), DialectJson.Default.RucioAccountSummary, pr.GetValue(json), "account", "type", "email");
            return 0;
        });

        var key = new Argument<string>("key");
        var value = new Argument<string>("value");
        var attrSet = new Command("set", "Set an account attribute, e.g. admin true (admin)").With(name, key, value);
        attrSet.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.SetAccountAttributeAsync(pr.GetValue(name)!, pr.GetValue(key)!, pr.GetValue(value)!, ct);
            return 0;
        });

        var target = new Argument<string>("target") { Description = "An RSE, or an RSE expression with --global" };
        var size = new Argument<string>("bytes") { Description = "A size such as 500GB, 2TiB, 1000000, or 'unlimited'" };
        var global = new Option<bool>("--global") { Description = "The target is an RSE expression: one limit over all the RSEs it selects" };
        var limitSet = new Command("set", "Set an account's quota on an RSE or an RSE expression (admin)").With(name, target, size, global);
        limitSet.SetAction(async (pr, ct) =>
        {
            var bytes = Sizes.Parse(pr.GetValue(size)!);
            using var c = Common.Client();
            if (pr.GetValue(global)) await c.SetGlobalLimitAsync(pr.GetValue(name)!, pr.GetValue(target)!, bytes, ct);
            else await c.SetLocalLimitAsync(pr.GetValue(name)!, pr.GetValue(target)!, bytes, ct);
            return 0;
        });
        var limitList = new Command("list", "An account's quotas per RSE and per RSE expression").With(name, json);
        limitList.SetAction(async (pr, ct) => await ShowLimits(pr.GetValue(name)!, pr.GetValue(json), ct));
        var limits = new Command("limits", "Same as 'account limit list'").With(name, json);
        limits.SetAction(async (pr, ct) => await ShowLimits(pr.GetValue(name)!, pr.GetValue(json), ct));

        return new Command("account", "Accounts, identities, attributes, quotas and usage").With(add, list, show, usage, limits,
            new Command("identity", "Identities of an account").With(identityAdd, identityList, identityRemove),
            new Command("attr", "Account attributes").With(attrSet),
            new Command("limit", "Account quotas").With(limitSet, limitList));
    }

    private static async Task<int> ShowLimits(string account, bool json, CancellationToken ct)
    {
        using var c = Common.Client();
        var local = await c.LocalLimitsAsync(account, ct);
        var global = await c.GlobalLimitsAsync(account, ct);
        if (json)
        {
            // Under the wire names, as the server sent them.
            Render.Json(new System.Text.Json.Nodes.JsonObject
            {
                ["local"] = System.Text.Json.JsonSerializer.SerializeToNode(local, DialectJson.Default.DictionaryStringInt64),
                ["global"] = System.Text.Json.JsonSerializer.SerializeToNode(global, DialectJson.Default.DictionaryStringRucioGlobalLimit),
            });
            return 0;
        }
        Console.Out.WriteLine("TARGET\tKIND\tLIMIT");
        // An unlimited quota (Ferry's largest long, Rucio's Infinity) prints as "unlimited".
        foreach (var (rse, bytes) in local) Console.Out.WriteLine($"{rse}\tRSE\t{Sizes.Format(bytes)}");
        foreach (var (expression, g) in global) Console.Out.WriteLine($"{expression}\texpression\t{Sizes.Format(g.Limit)}");
        return 0;
    }

    private static string ReadPassword()
    {
        if (Console.IsInputRedirected) return (Console.In.ReadLine() ?? "").TrimEnd('\r', '\n');
        Console.Error.Write("Password: ");
        var chars = new List<char>();
        while (true)
        {
            var k = Console.ReadKey(intercept: true);
            if (k.Key == ConsoleKey.Enter) break;
            if (k.Key == ConsoleKey.Backspace) { if (chars.Count > 0) chars.RemoveAt(chars.Count - 1); continue; }
            chars.Add(k.KeyChar);
        }
        Console.Error.WriteLine();
        if (chars.Count == 0) throw new UsageException("the password must not be empty");
        return new string(chars.ToArray());
    }
}
