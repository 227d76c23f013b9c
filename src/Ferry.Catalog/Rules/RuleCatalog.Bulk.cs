using System.Data.Common;
using Dapper;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Model;
using Ferry.Core.Rules;
using Ferry.Core.Selection;

namespace Ferry.Catalog.Rules;

/// <summary>One item of a bulk rule action: the DID, the rule concerned, what happens (<see cref="DataOutcome"/>) and why.</summary>
public sealed record DataActionResult
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public string? RuleId { get; init; }
    public required string Outcome { get; init; }
    public string? Reason { get; init; }
    public string? RseExpression { get; init; }
    public DateTimeOffset? ExpiresBefore { get; init; }
    public DateTimeOffset? ExpiresAfter { get; init; }
}

/// <summary>Which of a DID's rules an extend or delete touches: the account's, optionally only those on expressions or expiring soon.</summary>
public sealed record RuleScope(string Account, IReadOnlyList<string> On, long? ExpiresWithinSeconds);

/// <summary>The caller of a bulk action, for the ownership checks the single-rule endpoints make.</summary>
public sealed record ActingAccount(string Account, bool IsAdmin);

/// <summary>
/// Bulk rule actions for `ferry data`: a page of DIDs or rules per call and one transaction per call. Creating is
/// idempotent per DID + expression + account: an existing rule is reported with its id, so a rerun after a crash
/// creates only what is missing.
/// </summary>
public sealed partial class RuleCatalog
{
    /// <summary>
    /// One rule per DID unless the account already has one on the same expression. A dry run does the same work and
    /// rolls it back, so the plan is what submitting would do now.
    /// </summary>
    public async Task<IReadOnlyList<DataActionResult>> ReplicateAsync(RuleSpec spec, bool dryRun)
    {
        try
        {
            return await db.WriteAsync<IReadOnlyList<DataActionResult>>(async (c, tx) =>
            {
                var results = await Replicate(c, tx, spec, dryRun);
                if (dryRun) throw new RolledBack(results);
                return results;
            });
        }
        catch (RolledBack r) { return r.Results; }
    }

    private async Task<IReadOnlyList<DataActionResult>> Replicate(DbConnection c, DbTransaction tx, RuleSpec spec, bool dryRun)
    {
        Validate(spec);
        var now = clock.GetUtcNow();
        var facts = await RseCatalog.Facts(c, tx);
        var selected = RseExpression.Parse(spec.RseExpression).Evaluate(facts);
        if (selected.Count < spec.Copies)
            throw new FerryException("InsufficientTargetRSEs", 409, $"The rule asks for {spec.Copies} copies but '{spec.RseExpression}' selects only {selected.Count} RSE(s): {string.Join(", ", selected)}");
        if (spec.SourceReplicaExpression is { } src) RseExpression.Parse(src).Evaluate(facts);
        var results = new List<DataActionResult>(spec.Dids.Count);
        foreach (var (scope, name) in spec.Dids)
        {
            DataActionResult Result(string outcome, string? id = null, string? reason = null) => new()
                { Scope = scope, Name = name, RuleId = id, Outcome = outcome, Reason = reason, RseExpression = spec.RseExpression };
            var existing = await c.ExecuteScalarAsync<string?>(
                "SELECT id FROM rules WHERE scope=@scope AND name=@name AND account=@Account AND rse_expression=@RseExpression ORDER BY created_at LIMIT 1",
                new { scope, name, spec.Account, spec.RseExpression }, tx);
            if (existing is not null) { results.Add(Result(DataOutcome.Exists, existing)); continue; }
            var did = await DidCatalog.Find(c, tx, scope, name);
            if (did is null) { results.Add(Result(Planned(DataOutcome.Fail, dryRun), reason: $"DID {scope}:{name} does not exist")); continue; }
            var rule = NewRule(spec, did, now);
            // A DID the rule cannot be placed for (quota, no room) fails alone; the others of the page go on.
            await tx.SaveAsync("one_rule");
            try
            {
                await Insert(c, tx, rule);
                await RuleReconciler.Apply(c, tx, rule, now, random, strict: true, facts);
                await tx.ReleaseAsync("one_rule");
                results.Add(Result(Planned(DataOutcome.Create, dryRun), dryRun ? null : rule.Id));
            }
            catch (FerryException e)
            {
                await tx.RollbackAsync("one_rule");
                results.Add(Result(Planned(DataOutcome.Fail, dryRun), reason: $"{e.ExceptionClass}: {e.Message}"));
            }
        }
        return results;
    }

    /// <summary>The extend plan: each rule in scope and its new expiry, max(current, now + lifetime) unless shortening is allowed.</summary>
    public Task<IReadOnlyList<DataActionResult>> PlanExtendAsync(IReadOnlyList<(string Scope, string Name)> dids, RuleScope scope, long lifetimeSeconds, bool allowShorten) =>
        db.ReadAsync<IReadOnlyList<DataActionResult>>(async c =>
        {
            var target = clock.GetUtcNow().AddSeconds(lifetimeSeconds);
            var results = new List<DataActionResult>();
            foreach (var (did, rules) in await RulesInScope(c, dids, scope))
            {
                if (rules.Count == 0) results.Add(NoRule(did, scope));
                foreach (var r in rules)
                {
                    var (outcome, reason) = ExtendDecision(r.ExpiresAt, target, allowShorten);
                    results.Add(Of(r, outcome == DataOutcome.Change ? DataOutcome.Change : DataOutcome.Skip, reason) with { ExpiresAfter = outcome == DataOutcome.Change ? target : r.ExpiresAt });
                }
            }
            return results;
        });

    /// <summary>Sets the planned expiries; without <paramref name="allowShorten"/> a rule that meanwhile expires later is left alone.</summary>
    public Task<IReadOnlyList<DataActionResult>> ExtendAsync(IReadOnlyList<(string RuleId, DateTimeOffset ExpiresAt)> items, bool allowShorten, ActingAccount caller) =>
        db.WriteAsync<IReadOnlyList<DataActionResult>>(async (c, tx) =>
        {
            var now = clock.GetUtcNow();
            var results = new List<DataActionResult>(items.Count);
            foreach (var (id, target) in items)
            {
                var r = await c.QuerySingleOrDefaultAsync<Rule>("SELECT * FROM rules WHERE id=@id", new { id }, tx);
                if (Refused(r, id, caller) is { } refused) { results.Add(refused); continue; }
                var (outcome, reason) = ExtendDecision(r!.ExpiresAt, target, allowShorten);
                if (outcome == DataOutcome.Change)
                {
                    await c.ExecuteAsync("UPDATE rules SET expires_at=@target, updated_at=@now WHERE id=@id", new { target, now, id }, tx);
                    results.Add(Of(r, DataOutcome.Changed, null) with { ExpiresAfter = target });
                }
                else results.Add(Of(r, DataOutcome.Skipped, reason) with { ExpiresAfter = r.ExpiresAt });
            }
            return results;
        });

    /// <summary>The delete plan: each rule in scope; locked rules are reported as failing, since deleting them is refused.</summary>
    public Task<IReadOnlyList<DataActionResult>> PlanDeleteAsync(IReadOnlyList<(string Scope, string Name)> dids, RuleScope scope) =>
        db.ReadAsync<IReadOnlyList<DataActionResult>>(async c =>
        {
            var results = new List<DataActionResult>();
            foreach (var (did, rules) in await RulesInScope(c, dids, scope))
            {
                if (rules.Count == 0) results.Add(NoRule(did, scope));
                results.AddRange(rules.Select(r => r.Locked ? Of(r, DataOutcome.Fail, "the rule is locked") : Of(r, DataOutcome.Delete, null)));
            }
            return results;
        });

    /// <summary>Removes the rules now; their replicas get tombstones as usual, or go at once with <paramref name="purgeReplicas"/>.</summary>
    public Task<IReadOnlyList<DataActionResult>> DeleteRulesAsync(IReadOnlyList<string> ids, bool purgeReplicas, ActingAccount caller) =>
        db.WriteAsync<IReadOnlyList<DataActionResult>>(async (c, tx) =>
        {
            var now = clock.GetUtcNow();
            var results = new List<DataActionResult>(ids.Count);
            foreach (var id in ids)
            {
                var r = await c.QuerySingleOrDefaultAsync<Rule>("SELECT * FROM rules WHERE id=@id", new { id }, tx);
                if (Refused(r, id, caller) is { } refused) { results.Add(refused); continue; }
                if (r!.Locked) { results.Add(Of(r, DataOutcome.Failed, "the rule is locked: unlock it (rule update --locked false) first")); continue; }
                await Remove(c, tx, r with { PurgeReplicas = r.PurgeReplicas || purgeReplicas }, now);
                results.Add(Of(r, DataOutcome.Deleted, null));
            }
            return results;
        });

    private static (string Outcome, string? Reason) ExtendDecision(DateTimeOffset? current, DateTimeOffset target, bool allowShorten)
    {
        if (allowShorten) return current == target ? (DataOutcome.Skip, "already expires then") : (DataOutcome.Change, null);
        if (current is null) return (DataOutcome.Skip, "never expires; extending would shorten it (--allow-shorten to set an expiry)");
        if (current >= target) return (DataOutcome.Skip, $"already expires at {Core.Time.RucioTime.FormatIso(current.Value)}Z, not before the new expiry");
        return (DataOutcome.Change, null);
    }

    private static DataActionResult? Refused(Rule? r, string id, ActingAccount caller)
    {
        if (r is null) return new() { Scope = "", Name = "", RuleId = id, Outcome = DataOutcome.Skipped, Reason = "the rule no longer exists" };
        if (r.Account != caller.Account && !caller.IsAdmin) return Of(r, DataOutcome.Failed, $"the rule belongs to account {r.Account}");
        return null;
    }

    private static DataActionResult Of(Rule r, string outcome, string? reason) => new()
        { Scope = r.Scope, Name = r.Name, RuleId = r.Id, Outcome = outcome, Reason = reason, RseExpression = r.RseExpression, ExpiresBefore = r.ExpiresAt };

    private static DataActionResult NoRule((string Scope, string Name) did, RuleScope scope) => new()
        { Scope = did.Scope, Name = did.Name, Outcome = DataOutcome.Skip, Reason = $"no rule of account {scope.Account} in scope of the action" };

    private async Task<List<((string Scope, string Name) Did, List<Rule> Rules)>> RulesInScope(DbConnection c, IReadOnlyList<(string Scope, string Name)> dids, RuleScope scope)
    {
        IReadOnlySet<string>? on = null;
        if (scope.On.Count > 0)
        {
            var facts = await RseCatalog.Facts(c, null);
            var inUse = (await c.QueryAsync<string>("SELECT DISTINCT rse_expression FROM rules WHERE account=@Account", scope)).AsList();
            on = scope.On.SelectMany(e => RuleOn.MatchingExpressions(e, inUse, facts)).ToHashSet(StringComparer.Ordinal);
        }
        var cutoff = scope.ExpiresWithinSeconds is { } w ? clock.GetUtcNow().AddSeconds(w) : (DateTimeOffset?)null;
        var list = new List<((string, string), List<Rule>)>(dids.Count);
        foreach (var did in dids)
        {
            var rules = (await c.QueryAsync<Rule>("SELECT * FROM rules WHERE scope=@Scope AND name=@Name AND account=@Account ORDER BY created_at, id",
                new { did.Scope, did.Name, scope.Account })).Where(r => (on is null || on.Contains(r.RseExpression)) && (cutoff is null || r.ExpiresAt is { } e && e <= cutoff)).ToList();
            list.Add((did, rules));
        }
        return list;
    }

    private static string Planned(string outcome, bool dryRun) => dryRun ? outcome : DataOutcome.Done(outcome);

    /// <summary>Carries a dry run's results out of the transaction it rolls back.</summary>
    private sealed class RolledBack(IReadOnlyList<DataActionResult> results) : Exception("dry run")
    {
        public IReadOnlyList<DataActionResult> Results { get; } = results;
    }
}
