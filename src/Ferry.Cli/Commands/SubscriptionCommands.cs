using System.CommandLine;
using System.Text.Json.Nodes;
using Ferry.Cli.Output;

namespace Ferry.Cli.Commands;

/// <summary>`ferry subscription add|list|show|update|disable|history|dry-run`: placement policies for new DIDs.</summary>
internal static class SubscriptionCommands
{
    private sealed record FilterOptions(Option<string[]> Scopes, Option<string?> NameRegex, Option<string[]> Types, Option<string[]> Meta)
    {
        public static FilterOptions Create() => new(
            new Option<string[]>("--scope") { Description = "Only DIDs in this scope (repeatable)", AllowMultipleArgumentsPerToken = true },
            new Option<string?>("--name-regex") { Description = "Regular expression the whole DID name must match" },
            new Option<string[]>("--did-type") { Description = "FILE, DATASET or CONTAINER (repeatable)" },
            new Option<string[]>("--meta") { Description = "KEY=VALUE the DID's metadata must have (repeat a key for 'any of')" });

        public Symbol[] All => [Scopes, NameRegex, Types, Meta];

        public JsonObject? Read(ParseResult pr)
        {
            var scopes = pr.GetValue(Scopes) ?? [];
            var types = pr.GetValue(Types) ?? [];
            var meta = pr.GetValue(Meta) ?? [];
            if (scopes.Length == 0 && types.Length == 0 && meta.Length == 0 && pr.GetValue(NameRegex) is null) return null;
            var m = new JsonObject();
            foreach (var kv in meta)
            {
                var i = kv.IndexOf('=');
                if (i < 1) throw new UsageException($"--meta takes KEY=VALUE, got '{kv}'");
                ((m[kv[..i]] ??= new JsonArray()) as JsonArray)!.Add(kv[(i + 1)..]);
            }
            return new JsonObject
            {
                ["scopes"] = new JsonArray(scopes.Select(s => (JsonNode)s).ToArray()), ["name_regex"] = pr.GetValue(NameRegex),
                ["did_types"] = new JsonArray(types.Select(t => (JsonNode)t.ToUpperInvariant()).ToArray()), ["meta"] = m,
            };
        }
    }

    private sealed record RuleOptions(Option<string[]> Expressions, Option<int> Copies, Option<string?> Lifetime, Option<string> Grouping, Option<string?> Activity)
    {
        public static RuleOptions Create() => new(
            new Option<string[]>("--rse-expr") { Description = "One rule per expression, made in this order (repeatable)" },
            new Option<int>("--copies") { DefaultValueFactory = _ => 1, Description = "Copies of each rule" },
            new Option<string?>("--lifetime") { Description = "Lifetime of each rule, e.g. 30d" },
            new Option<string>("--grouping") { DefaultValueFactory = _ => "DATASET", Description = "ALL, DATASET or NONE" },
            new Option<string?>("--activity") { Description = "Transfer activity of the rules" });

        public Symbol[] All => [Expressions, Copies, Lifetime, Grouping, Activity];

        public JsonArray? Read(ParseResult pr)
        {
            var exprs = pr.GetValue(Expressions) ?? [];
            if (exprs.Length == 0) return null;
            var lifetime = Common.Duration(pr.GetValue(Lifetime));
            return new JsonArray(exprs.Select(e => (JsonNode)new JsonObject
            {
                ["rse_expression"] = e, ["copies"] = pr.GetValue(Copies), ["lifetime"] = lifetime,
                ["grouping"] = pr.GetValue(Grouping)!.ToUpperInvariant(), ["activity"] = pr.GetValue(Activity),
            }).ToArray());
        }
    }

    private static readonly string[] Columns = ["name", "account", "state", "comments", "created_at"];

    public static Command Build()
    {
        var name = new Argument<string>("name") { Description = "Subscription name" };
        var json = Common.JsonOption();
        var filter = FilterOptions.Create();
        var rules = RuleOptions.Create();
        var retroactive = new Option<bool>("--retroactive") { Description = "Also give the rules to matching DIDs that exist already" };
        var comment = new Option<string?>("--comment");

        var add = new Command("add", "Add a subscription: every new DID matching the filter gets the rules").With([name, .. filter.All, .. rules.All, retroactive, comment, json]);
        add.SetAction(async (pr, ct) =>
        {
            var body = new JsonObject
            {
                ["name"] = pr.GetValue(name), ["filter"] = filter.Read(pr) ?? throw new UsageException("give a filter: --scope, --name-regex, --did-type or --meta"),
                ["rules"] = rules.Read(pr) ?? throw new UsageException("give at least one --rse-expr"), ["retroactive"] = pr.GetValue(retroactive),
                ["comments"] = pr.GetValue(comment),
            };
            using var c = Common.Client();
            Render.Object(await c.AddSubscriptionAsync(body, ct), pr.GetValue(json));
            return 0;
        });

        var list = new Command("list", "List subscriptions").With(json);
        list.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List((await c.ListSubscriptionsAsync(ct)).EnumerateArray().ToList(), pr.GetValue(json), Columns);
            return 0;
        });

        var show = new Command("show", "Show a subscription: filter, rules, state").With(name, json);
        show.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.Object(await c.GetSubscriptionAsync(pr.GetValue(name)!, ct), pr.GetValue(json));
            return 0;
        });

        var state = new Option<string?>("--state") { Description = "ACTIVE or INACTIVE" };
        var update = new Command("update", "Change a subscription's filter, rules, state or comment (FAILED DIDs are tried again)")
            .With([name, .. filter.All, .. rules.All, state, comment, json]);
        update.SetAction(async (pr, ct) =>
        {
            var body = new JsonObject();
            if (filter.Read(pr) is { } f) body["filter"] = f;
            if (rules.Read(pr) is { } r) body["rules"] = r;
            if (pr.GetValue(state) is { } s) body["state"] = s;
            if (pr.GetValue(comment) is { } cm) body["comments"] = cm;
            if (body.Count == 0) throw new UsageException("nothing to change");
            using var c = Common.Client();
            Render.Object(await c.UpdateSubscriptionAsync(pr.GetValue(name)!, body, ct), pr.GetValue(json));
            return 0;
        });

        var disable = new Command("disable", "Stop a subscription: no new rules from it (rules it made stay)").With(name);
        disable.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            await c.UpdateSubscriptionAsync(pr.GetValue(name)!, new JsonObject { ["state"] = "INACTIVE" }, ct);
            Console.Out.WriteLine($"subscription {pr.GetValue(name)} disabled");
            return 0;
        });

        var history = new Command("history", "DIDs the subscription handled, with the rules it made or why it failed").With(name, json);
        history.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            Render.List((await c.SubscriptionHistoryAsync(pr.GetValue(name)!, ct)).EnumerateArray().ToList(), pr.GetValue(json), "scope", "name", "state", "rule_ids", "error");
            return 0;
        });

        var limit = new Option<int>("--limit") { DefaultValueFactory = _ => 1000 };
        var ofSubscription = new Option<string?>("--subscription") { Description = "Use this subscription's filter and rules" };
        var dryRun = new Command("dry-run", "What the catalogue's existing DIDs would get from a subscription (the named one, or the filter and rules given)")
            .With([.. filter.All, .. rules.All, ofSubscription, limit, json]);
        dryRun.SetAction(async (pr, ct) =>
        {
            using var c = Common.Client();
            JsonNode? f = filter.Read(pr), r = rules.Read(pr);
            if (pr.GetValue(ofSubscription) is { } existing)
            {
                var s = await c.GetSubscriptionAsync(existing, ct);
                f ??= JsonNode.Parse(s.GetProperty("filter").GetRawText());
                r ??= JsonNode.Parse(s.GetProperty("rules").GetRawText());
            }
            if (f is null || r is null) throw new UsageException("give --subscription NAME, or a filter and at least one --rse-expr");
            var plan = (await c.DryRunSubscriptionAsync(f, r, pr.GetValue(limit), ct)).EnumerateArray().ToList();
            if (pr.GetValue(json)) Render.Json(plan);
            else
            {
                foreach (var d in plan)
                    Console.Out.WriteLine($"{d.GetProperty("scope").GetString()}:{d.GetProperty("name").GetString()} ({d.GetProperty("type").GetString()}) <- " +
                        string.Join("; ", d.GetProperty("rules").EnumerateArray().Select(x => $"{x.GetProperty("copies")}x '{x.GetProperty("rse_expression").GetString()}'" +
                            (x.GetProperty("problem").GetString() is { } p ? $" [{p}]" : ""))));
                Console.Out.WriteLine($"{plan.Count} existing DID(s) match");
            }
            return 0;
        });

        return new Command("subscription", "Placement policies: rules for every new DID that matches a filter").With(add, list, show, update, disable, history, dryRun);
    }
}
