using Ferry.Catalog.Rules;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Model;
using Ferry.Core.Rules;

namespace Ferry.Engine.Application.Rules;

/// <summary>Options of PUT /rules/{id}; the *Given flags tell an option set to null from one not sent.</summary>
public sealed record RuleChange
{
    public long? LifetimeSeconds { get; init; }
    public bool LifetimeGiven { get; init; }
    public bool? Locked { get; init; }
    public string? Comment { get; init; }
    public bool CommentGiven { get; init; }
    public RuleState? State { get; init; }
    public RuleColumnUpdate? Columns { get; init; }
}

/// <summary>
/// The rule operations, whoever asks: POST /rules/, a DID created with rules, `ferry data`, a task's output rule.
/// Each takes the caller, checks what the caller may do, validates the spec (<see cref="RuleSpec.Validated"/>, the one
/// check) and only then calls the store. Endpoints parse the wire and render; they decide nothing here.
/// </summary>
public sealed class RuleRequests(RuleCatalog rules)
{
    /// <summary>
    /// The permission and spec checks of a new rule, nothing written: a DID created with rules checks all of them
    /// before it writes anything, and the catalogue writes collection and rules in one transaction.
    /// </summary>
    public static RuleSpec Checked(Caller caller, RuleSpec spec)
    {
        if (spec.Account != caller.Account && !caller.IsAdmin)
            throw FerryException.Denied($"Account {caller.Account} can not add rules for account {spec.Account}");
        if (spec.IgnoreAccountLimit && !caller.IsAdmin)
            throw FerryException.Denied($"Account {caller.Account} can not add rules that ignore account limits");
        return spec.Validated();
    }

    public Task<IReadOnlyList<string>> AddAsync(Caller caller, RuleSpec spec) => rules.AddAsync(Checked(caller, spec));

    /// <summary>`ferry data replicate`: one rule per DID that the account has none on the expression for (a dry run writes nothing).</summary>
    public Task<IReadOnlyList<DataActionResult>> ReplicateAsync(Caller caller, RuleSpec spec, bool dryRun) => rules.ReplicateAsync(Checked(caller, spec), dryRun);

    public async Task UpdateAsync(Caller caller, string id, RuleChange change)
    {
        await RequireOwner(caller, id, "update rules");
        await rules.UpdateAsync(id, change.LifetimeSeconds, change.LifetimeGiven, change.Locked, change.Comment, change.CommentGiven, change.State, change.Columns);
    }

    /// <summary>A new rule on <paramref name="rseExpression"/> that replaces the rule once it is OK; returns the new rule's id.</summary>
    public async Task<string> MoveAsync(Caller caller, string id, string rseExpression, string? activity, string? sourceReplicaExpression)
    {
        await RequireOwner(caller, id, "move rules");
        return await rules.MoveAsync(id, rseExpression, activity, sourceReplicaExpression);
    }

    public async Task DeleteAsync(Caller caller, string id, bool? purgeReplicas, bool immediate)
    {
        await RequireOwner(caller, id, "delete rules");
        await rules.DeleteAsync(id, purgeReplicas, immediate);
    }

    /// <summary>Which rules of <paramref name="account"/> (the caller's own unless an admin names another) `ferry data` may change.</summary>
    public static RuleScope Scope(Caller caller, string? account, IReadOnlyList<string> on, long? expiresWithinSeconds)
    {
        account ??= caller.Account;
        caller.RequireSelfOrAdmin(account, "change rules");
        foreach (var e in on) RseExpression.Parse(e);
        if (expiresWithinSeconds is <= 0) throw FerryException.Invalid("rule_expires_within must be a positive number of seconds");
        return new RuleScope(account, on, expiresWithinSeconds);
    }

    public Task<IReadOnlyList<DataActionResult>> PlanExtendAsync(IReadOnlyList<(string Scope, string Name)> dids, RuleScope scope, long lifetimeSeconds, bool allowShorten)
    {
        if (lifetimeSeconds is <= 0 or > RuleSpec.MaxLifetimeSeconds)
            throw FerryException.Invalid($"lifetime must be between 1 second and 100 years, got {lifetimeSeconds}");
        return rules.PlanExtendAsync(dids, scope, lifetimeSeconds, allowShorten);
    }

    public Task<IReadOnlyList<DataActionResult>> ExtendAsync(Caller caller, IReadOnlyList<(string RuleId, DateTimeOffset ExpiresAt)> items, bool allowShorten) =>
        rules.ExtendAsync(items, allowShorten, Acting(caller));

    public Task<IReadOnlyList<DataActionResult>> PlanDeleteAsync(IReadOnlyList<(string Scope, string Name)> dids, RuleScope scope) => rules.PlanDeleteAsync(dids, scope);

    public Task<IReadOnlyList<DataActionResult>> DeleteRulesAsync(Caller caller, IReadOnlyList<string> ids, bool purgeReplicas) =>
        rules.DeleteRulesAsync(ids, purgeReplicas, Acting(caller));

    /// <summary>The rule's owner or an admin; an unknown rule is RuleNotFound (404) before any permission question.</summary>
    private async Task RequireOwner(Caller caller, string id, string what) => caller.RequireSelfOrAdmin((await rules.GetAsync(id)).Account, what);

    private static ActingAccount Acting(Caller caller) => new(caller.Account, caller.IsAdmin);
}
