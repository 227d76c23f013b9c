using System.Text.Json.Nodes;
using Ferry.Catalog.Rules;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Core.Time;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>Replication rules: add, get, list, locks, update, delete, history (dialect §8).</summary>
internal static class RuleEndpoints
{
    private static readonly HashSet<string> UpdateOptions =
        ["lifetime", "locked", "comment", "state", "priority", "meta", "eol_at", "purge_replicas", "activity", "source_replica_expression"];
    private static readonly HashSet<string> KnownUnsupportedOptions = ["account", "cancel_requests", "child_rule_id", "boost_rule", "approve"];

    private static readonly string[] ListFilterKeys = ["account", "scope", "name", "state", "rse_expression", "subscription_id"];

    public static void MapRules(this IEndpointRouteBuilder app)
    {
        app.Map("POST", "/rules", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            var dids = (body.OptArray("dids") ?? throw new FerryException("KeyError", 400, "'dids' not defined"))
                .Select(d => Json.AsObject(d, "Each DID")).Select(o => (Names.Scope(o.RequiredString("scope")), Names.DidName(o.RequiredString("name")))).ToList();
            var spec = ParseSpec(body, Caller.Of(ctx), dids);
            var ids = await Rules(ctx).AddAsync(spec);
            await Wire.WriteJson(ctx, ids, 201);
        }, "AddRule", "Rules");

        app.Map("GET", "/rules", async ctx =>
        {
            // Rucio filters on any rule column and answers an unknown key with a bare 500; Ferry names the keys it takes.
            foreach (var key in ctx.Request.Query.Keys)
                if (!ListFilterKeys.Contains(key))
                    throw FerryException.Invalid($"Unknown rule filter '{key}': use {string.Join(", ", ListFilterKeys)}");
            RuleState? state = ctx.Query("state") is { } s ? EnumNames.ParseRuleState(s) : null;
            var rules = await Rules(ctx).ListAsync(new RuleFilter(ctx.Query("account"), ctx.Query("scope"), ctx.Query("name"), state, ctx.Query("rse_expression"),
                ctx.Query("subscription_id")));
            return RucioResults.Stream(rules.Select(WireFormat.ListedRule));
        }, "ListRules", "Rules");

        app.Map("GET", "/accounts/{account}/rules", async ctx =>
            RucioResults.Stream((await Rules(ctx).ListAsync(new RuleFilter(Account: ctx.Route("account")))).Select(WireFormat.ListedRule)),
            "ListAccountRules", "Rules");

        app.Map("GET", "/rules/{id}", async ctx => RucioResults.Json(WireFormat.Rule(await Rules(ctx).GetAsync(ctx.Route("id")))), "GetRule", "Rules");

        app.Map("GET", "/rules/{id}/locks", async ctx =>
        {
            var rule = await Rules(ctx).GetAsync(ctx.Route("id"));
            var rses = ctx.RequestServices.GetRequiredService<Ferry.Catalog.Rses.RseCatalog>();
            var names = (await rses.ListAsync()).ToDictionary(r => r.Id, r => r.Name);
            return RucioResults.Stream((await Rules(ctx).LocksAsync(rule.Id)).Select(l => new RucioLock
                { Scope = l.Scope, Name = l.Name, RseId = l.RseId, Rse = names.GetValueOrDefault(l.RseId), State = l.State.Wire(), RuleId = l.RuleId }));
        }, "ListRuleLocks", "Rules");

        app.Map("GET", "/rules/{scope}/{name}/history", async ctx =>
            RucioResults.Stream((await Rules(ctx).HistoryAsync(ctx.Route("scope"), ctx.Route("name"))).Select(h => new RucioRuleHistory
            {
                RuleId = h.RuleId, CreatedAt = h.CreatedAt, UpdatedAt = h.UpdatedAt, RseExpression = h.RseExpression, State = h.State.Wire(),
                Account = h.Account, LocksOkCnt = h.LocksOkCnt, Rses = (h.Rses ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
                LocksStuckCnt = h.LocksStuckCnt, LocksReplicatingCnt = h.LocksReplicatingCnt,
            })), "RuleHistory", "Rules");

        app.Map("PUT", "/rules/{id}", async ctx =>
        {
            var id = ctx.Route("id");
            var rule = await Rules(ctx).GetAsync(id);
            Caller.Of(ctx).RequireSelfOrAdmin(rule.Account, "update rules");
            var options = Json.AsObject((await Wire.ReadObject(ctx)).Required("options"), "'options'");
            foreach (var key in options.Select(o => o.Key))
            {
                if (KnownUnsupportedOptions.Contains(key)) throw FerryException.Conflict("UnsupportedOperation", $"Updating '{key}' of a rule is not supported yet");
                if (!UpdateOptions.Contains(key)) throw FerryException.Conflict("InputValidationError", $"Unknown rule option '{key}'");
            }
            RuleState? state = options.OptString("state")?.ToUpperInvariant() switch
            {
                null => null, "SUSPENDED" => RuleState.Suspended, "STUCK" => RuleState.Stuck,
                var other => throw FerryException.Conflict("UnsupportedOperation", $"A rule's state can be set to SUSPENDED or STUCK, not '{other}'"),
            };
            await Rules(ctx).UpdateAsync(id, options.OptLong("lifetime"), options.ContainsKey("lifetime"), options.OptBool("locked"),
                options.OptString("comment"), options.ContainsKey("comment"), state, new RuleColumnUpdate
                {
                    Priority = options.OptLong("priority") is { } p ? (int)Math.Clamp(p, int.MinValue, int.MaxValue) : null,
                    MetaGiven = options.ContainsKey("meta"), Meta = MetaText(options["meta"]),
                    EolGiven = options.ContainsKey("eol_at"), EolAt = options.OptString("eol_at") is { } eol ? RucioTime.Parse(eol) : null,
                    PurgeReplicas = options.OptBool("purge_replicas"), Activity = options.OptString("activity"),
                    SourceGiven = options.ContainsKey("source_replica_expression"), SourceReplicaExpression = options.OptString("source_replica_expression"),
                });
            await Wire.Ok(ctx);
        }, "UpdateRule", "Rules");

        app.Map("POST", "/rules/{id}/move", async ctx =>
        {
            var id = ctx.Route("id");
            var rule = await Rules(ctx).GetAsync(id);
            Caller.Of(ctx).RequireSelfOrAdmin(rule.Account, "move rules");
            var body = await Wire.ReadObject(ctx);
            // Rucio takes overrides under "override" and, for older clients, activity and source_replica_expression at the top.
            var overrides = body["override"] is { } o ? Json.AsObject(o, "override") : [];
            foreach (var key in overrides.Select(p => p.Key))
                if (key is not ("activity" or "source_replica_expression"))
                    throw FerryException.Invalid($"A moved rule can override activity and source_replica_expression, not '{key}'");
            var child = await Rules(ctx).MoveAsync(id, body.RequiredString("rse_expression"),
                overrides.OptString("activity") ?? body.OptString("activity"),
                overrides.OptString("source_replica_expression") ?? body.OptString("source_replica_expression"));
            // Rucio 41 answers the new rule's id as a JSON string.
            await Wire.WriteJson(ctx, child, 201);
        }, "MoveRule", "Rules");

        app.Map("DELETE", "/rules/{id}", async ctx =>
        {
            var id = ctx.Route("id");
            var rule = await Rules(ctx).GetAsync(id);
            Caller.Of(ctx).RequireSelfOrAdmin(rule.Account, "delete rules");
            var body = await Wire.ReadObject(ctx, allowEmpty: true);
            await Rules(ctx).DeleteAsync(id, body.OptBool("purge_replicas"), immediate: ctx.QueryBool("immediate"));
            await Wire.Ok(ctx);
        }, "DeleteRule", "Rules");
    }

    public static RuleSpec ParseSpec(JsonObject body, Caller caller, IReadOnlyList<(string, string)> dids)
    {
        var account = body.OptString("account") ?? caller.Account;
        if (account != caller.Account && !caller.IsAdmin) throw FerryException.Denied($"Account {caller.Account} can not add rules for account {account}");
        var copies = body.OptLong("copies") ?? throw new FerryException("KeyError", 400, "'copies' not defined");
        if (copies is < 1 or > 1000) throw new FerryException("InvalidReplicationRule", 409, $"copies must be between 1 and 1000, got {copies}");
        var notify = body.OptString("notify")?.ToUpperInvariant() switch
        {
            null or "N" or "NO" => "NO", "Y" or "YES" => "YES", "C" or "CLOSE" => "CLOSE", "P" or "PROGRESS" => "PROGRESS",
            var other => throw FerryException.Invalid($"Unknown notify value '{other}': use Y, N, C or P"),
        };
        // Rucio's client sends these on every rule (null and false when unused); Ferry places a rule at once and has no
        // approval workflow, so asking for either is refused rather than silently ignored.
        if (body["delay_injection"] is not null) throw FerryException.Invalid("delay_injection is not supported by Ferry: a rule is placed when it is created");
        if (body.OptBool("ask_approval") == true) throw FerryException.Invalid("ask_approval is not supported by Ferry: rules need no approval");
        var ignoreAccountLimit = body.OptBool("ignore_account_limit") ?? false;
        if (ignoreAccountLimit && !caller.IsAdmin) throw FerryException.Denied($"Account {caller.Account} can not add rules that ignore account limits");
        return new RuleSpec
        {
            Dids = dids, Account = account, Copies = (int)copies, RseExpression = body.RequiredString("rse_expression"),
            Grouping = body.OptString("grouping") is { } g ? EnumNames.ParseGrouping(g) : RuleGrouping.Dataset,
            Weight = body.OptString("weight"), LifetimeSeconds = body.OptLong("lifetime"), Locked = body.OptBool("locked") ?? false,
            SourceReplicaExpression = body.OptString("source_replica_expression"), Activity = body.OptString("activity"),
            Notification = notify, PurgeReplicas = body.OptBool("purge_replicas") ?? false, IgnoreAvailability = body.OptBool("ignore_availability") ?? false,
            Priority = (int)(body.OptLong("priority") ?? 3), Comment = body.OptString("comment"),
            IgnoreAccountLimit = ignoreAccountLimit, SplitContainer = body.OptBool("split_container") ?? false, Meta = MetaText(body["meta"]),
        };
    }

    /// <summary>Rucio keeps a rule's meta as the JSON text of whatever was sent, and returns that text.</summary>
    private static string? MetaText(JsonNode? meta)
    {
        var text = meta?.ToJsonString();
        if (text is { Length: > 4000 }) throw FerryException.Invalid("A rule's meta is limited to 4000 characters of JSON");
        return text;
    }

    private static RuleCatalog Rules(HttpContext ctx) => ctx.RequestServices.GetRequiredService<RuleCatalog>();
}
