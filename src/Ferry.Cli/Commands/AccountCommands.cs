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
            Render.Object(await c.JsonAsync(HttpMethod.Get, $"accounts/{Uri.EscapeDataString(pr.GetValue(name)!)}", ct: ct), pr.GetValue(json));
            return 0;
        });

        var username = new Option<string?>("--username") { Description = "Login name (default: the account name)" };
        var identityAdd = new Command("add", "Add a username/password identity; the password is read from standard input or a prompt, never argv").With(name, username);
        identityAdd.SetAction(async (pr, ct) =>
        {
            var password = ReadPassword();
            using var c = Common.Client();
            await c.AddUserpassAsync(pr.GetValue(name)!, pr.GetValue(username) ?? pr.GetValue(name)!, password, ct);
            Console.Out.WriteLine($"Added identity for {pr.GetValue(name)}");
            return 0;
        });
        var usage = new Command("usage", "Bytes and files of an account's rule locks per RSE").With(name, json);
        usage.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List(await c.ListAsync(HttpMethod.Get, $"accounts/{Uri.EscapeDataString(pr.GetValue(name)!)}/usage/local", ct: ct), pr.GetValue(json), "rse", "files", "bytes");
            return 0;
        });
        return new Command("account", "Accounts and their identities").With(add, show, usage, new Command("identity", "Identities of an account").With(identityAdd));
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
