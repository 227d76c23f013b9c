using Ferry.Catalog.Rules;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Core.Time;
using Ferry.Engine.Application.Rules;
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
            var dids = RuleWire.Dids(body);
            var ids = await Requests(ctx).AddAsync(Caller.Of(ctx), RuleWire.Spec(body, Caller.Of(ctx).Account, dids));
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
            await Requests(ctx).UpdateAsync(Caller.Of(ctx), id, new RuleChange
            {
                LifetimeSeconds = options.OptLong("lifetime"), LifetimeGiven = options.ContainsKey("lifetime"), Locked = options.OptBool("locked"),
                Comment = options.OptString("comment"), CommentGiven = options.ContainsKey("comment"), State = state, Columns = new RuleColumnUpdate
                {
                    Priority = options.OptLong("priority") is { } p ? (int)Math.Clamp(p, int.MinValue, int.MaxValue) : null,
                    MetaGiven = options.ContainsKey("meta"), Meta = RuleWire.MetaText(options["meta"]),
                    EolGiven = options.ContainsKey("eol_at"), EolAt = options.OptString("eol_at") is { } eol ? RucioTime.Parse(eol) : null,
                    PurgeReplicas = options.OptBool("purge_replicas"), Activity = options.OptString("activity"),
                    SourceGiven = options.ContainsKey("source_replica_expression"), SourceReplicaExpression = options.OptString("source_replica_expression"),
                },
            });
            await Wire.Ok(ctx);
        }, "UpdateRule", "Rules");

        app.Map("POST", "/rules/{id}/move", async ctx =>
        {
            var id = ctx.Route("id");
            var body = await Wire.ReadObject(ctx);
            // Rucio takes overrides under "override" and, for older clients, activity and source_replica_expression at the top.
            var overrides = body["override"] is { } o ? Json.AsObject(o, "override") : [];
            foreach (var key in overrides.Select(p => p.Key))
                if (key is not ("activity" or "source_replica_expression"))
                    throw FerryException.Invalid($"A moved rule can override activity and source_replica_expression, not '{key}'");
            var child = await Requests(ctx).MoveAsync(Caller.Of(ctx), id, body.RequiredString("rse_expression"),
                overrides.OptString("activity") ?? body.OptString("activity"),
                overrides.OptString("source_replica_expression") ?? body.OptString("source_replica_expression"));
            // Rucio 41 answers the new rule's id as a JSON string.
            await Wire.WriteJson(ctx, child, 201);
        }, "MoveRule", "Rules");

        app.Map("DELETE", "/rules/{id}", async ctx =>
        {
            var body = await Wire.ReadObject(ctx, allowEmpty: true);
            await Requests(ctx).DeleteAsync(Caller.Of(ctx), ctx.Route("id"), body.OptBool("purge_replicas"), immediate: ctx.QueryBool("immediate"));
            await Wire.Ok(ctx);
        }, "DeleteRule", "Rules");
    }

    private static RuleCatalog Rules(HttpContext ctx) => ctx.RequestServices.GetRequiredService<RuleCatalog>();

    private static RuleRequests Requests(HttpContext ctx) => ctx.RequestServices.GetRequiredService<RuleRequests>();
}
