using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Model;
using Ferry.Core.Rules;

namespace Ferry.Catalog.Rules;

/// <summary>PUT /rules/{id} options that set one column each; null members are left alone.</summary>
public sealed record RuleColumnUpdate
{
    public int? Priority { get; init; }
    public bool MetaGiven { get; init; }
    public string? Meta { get; init; }
    public bool EolGiven { get; init; }
    public DateTimeOffset? EolAt { get; init; }
    public bool? PurgeReplicas { get; init; }
    public string? Activity { get; init; }
    public bool SourceGiven { get; init; }
    public string? SourceReplicaExpression { get; init; }
}

public sealed record RuleHistoryEntry
{
    public required string RuleId { get; init; }
    public required string Account { get; init; }
    public required string RseExpression { get; init; }
    public RuleState State { get; init; }
    public long LocksOkCnt { get; init; }
    public long LocksReplicatingCnt { get; init; }
    public long LocksStuckCnt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string? Rses { get; init; }
}

public sealed record RuleFilter(string? Account = null, string? Scope = null, string? Name = null, RuleState? State = null, string? RseExpression = null,
    string? SubscriptionId = null);

public sealed partial class RuleCatalog(ICatalogDatabase db, TimeProvider clock, Random random)
{
    /// <summary>Rucio's activities (kept in the rule spec, <see cref="RuleSpec.Activities"/>).</summary>
    public static IReadOnlyList<string> Activities => RuleSpec.Activities;

    /// <summary>Validates, inserts and applies the rules in one transaction; returns their ids.</summary>
    public Task<IReadOnlyList<string>> AddAsync(RuleSpec spec) => db.WriteAsync((c, tx) => Add(c, tx, spec, clock.GetUtcNow(), random));

    /// <summary>The same as <see cref="AddAsync"/> inside a caller's transaction (subscriptions add several rules at once).</summary>
    internal static async Task<IReadOnlyList<string>> Add(DbConnection c, DbTransaction tx, RuleSpec spec, DateTimeOffset now, Random random)
    {
        Validate(spec);
        // The owner is a foreign key: an account that does not exist is the caller's mistake, not a constraint failure.
        Ferry.Core.Identifiers.Names.Account(spec.Account);
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM accounts WHERE name=@Account", new { spec.Account }, tx) == 0)
            throw FerryException.AccountNotFound(spec.Account);
        var facts = await RseCatalog.Facts(c, tx);
        var selected = RseExpression.Parse(spec.RseExpression).Evaluate(facts);
        if (selected.Count < spec.Copies)
            throw new FerryException("InsufficientTargetRSEs", 409, $"The rule asks for {spec.Copies} copies but '{spec.RseExpression}' selects only {selected.Count} RSE(s): {string.Join(", ", selected)}");
        if (spec.SourceReplicaExpression is { } src) RseExpression.Parse(src).Evaluate(facts);
        var ids = new List<string>();
        foreach (var (scope, name) in spec.Dids)
        {
            var did = await DidCatalog.Find(c, tx, scope, name) ?? throw FerryException.DidNotFound(scope, name);
            var duplicate = await c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM rules WHERE scope=@scope AND name=@name AND account=@Account AND rse_expression=@RseExpression AND copies=@Copies",
                new { scope, name, spec.Account, spec.RseExpression, spec.Copies }, tx);
            if (duplicate > 0) throw FerryException.Conflict("DuplicateRule", $"A rule for {scope}:{name} with account {spec.Account}, expression '{spec.RseExpression}' and {spec.Copies} copies already exists");
            var rule = NewRule(spec, did, now);
            await Insert(c, tx, rule);
            await RuleReconciler.Apply(c, tx, rule, now, random, strict: true, facts);
            ids.Add(rule.Id);
        }
        return ids;
    }

    /// <summary>The spec's one check (<see cref="RuleSpec.Validated"/>), again here so that no path into the store skips it.</summary>
    private static void Validate(RuleSpec spec) => spec.Validated();

    public Task<Rule?> FindAsync(string id) => db.ReadAsync(c => c.QuerySingleOrDefaultAsync<Rule>("SELECT * FROM rules WHERE id=@id", new { id }));

    public async Task<Rule> GetAsync(string id) => await FindAsync(id) ?? throw FerryException.RuleNotFound(id);

    /// <summary>Rules matching the filter, each with its DID's size (DidBytes), as Rucio's listings give it.</summary>
    public Task<IReadOnlyList<Rule>> ListAsync(RuleFilter f) => db.ReadAsync<IReadOnlyList<Rule>>(async c =>
        (await c.QueryAsync<Rule>("""
            SELECT r.*, d.bytes AS did_bytes FROM rules r LEFT JOIN dids d ON d.scope=r.scope AND d.name=r.name
            WHERE (@Account IS NULL OR r.account=@Account) AND (@Scope IS NULL OR r.scope=@Scope) AND (@Name IS NULL OR r.name=@Name)
            AND (@State IS NULL OR r.state=@State) AND (@RseExpression IS NULL OR r.rse_expression=@RseExpression)
            AND (@SubscriptionId IS NULL OR r.subscription_id=@SubscriptionId) ORDER BY r.created_at, r.id
            """, new { f.Account, f.Scope, f.Name, State = (int?)f.State, f.RseExpression, f.SubscriptionId })).AsList());

    public Task<IReadOnlyList<ReplicaLock>> LocksAsync(string ruleId) => db.ReadAsync<IReadOnlyList<ReplicaLock>>(async c =>
        (await c.QueryAsync<ReplicaLock>("SELECT * FROM locks WHERE rule_id=@ruleId ORDER BY scope, name, rse_id", new { ruleId })).AsList());

    /// <summary>Every history row of a DID's rules, oldest first, with the RSEs each rule had used by then.</summary>
    public Task<IReadOnlyList<RuleHistoryEntry>> HistoryAsync(string scope, string name) => db.ReadAsync<IReadOnlyList<RuleHistoryEntry>>(async c =>
        (await c.QueryAsync<RuleHistoryEntry>("""
            SELECT rule_id, account, rse_expression, state, locks_ok_cnt, locks_replicating_cnt, locks_stuck_cnt, created_at, updated_at, rses
            FROM rule_history WHERE scope=@scope AND name=@name ORDER BY updated_at
            """, new { scope, name })).AsList());

    /// <summary>PUT /rules/{id}: lifetime (seconds or null), locked, comment. Unknown options are refused.</summary>
    /// <remarks>Everything changes in one transaction, so an option refused leaves the rule as it was.</remarks>
    public Task UpdateAsync(string id, long? lifetimeSeconds, bool lifetimeGiven, bool? locked, string? comment, bool commentGiven, RuleState? state = null,
        RuleColumnUpdate? columns = null) => db.WriteAsync(async (c, tx) =>
    {
        var rule = await Get(c, tx, id);
        var now = clock.GetUtcNow();
        if (columns is not null) await UpdateColumns(c, tx, rule, columns, now);
        if (lifetimeGiven)
        {
            if (lifetimeSeconds is { } l && (l <= 0 || l > 100L * 365 * 86400))
                throw new FerryException("InvalidReplicationRule", 409, $"lifetime must be between 1 second and 100 years, got {l}");
            await c.ExecuteAsync("UPDATE rules SET expires_at=@e, updated_at=@now WHERE id=@id",
                new { e = lifetimeSeconds is { } s ? now.AddSeconds(s) : (DateTimeOffset?)null, now, id }, tx);
        }
        if (locked is { } lk) await c.ExecuteAsync("UPDATE rules SET locked=@lk, updated_at=@now WHERE id=@id", new { lk, now, id }, tx);
        if (commentGiven)
        {
            if (comment is { Length: > 250 }) throw FerryException.Invalid("The comment is limited to 250 characters");
            await c.ExecuteAsync("UPDATE rules SET comments=@comment, updated_at=@now WHERE id=@id", new { comment, now, id }, tx);
        }
        // SUSPENDED keeps the judge away from the rule; STUCK asks the repairer to look at it. Leaving SUSPENDED
        // is done by setting STUCK, as in Rucio.
        if (state is { } st)
            await c.ExecuteAsync("UPDATE rules SET state=@st, stuck_at=CASE WHEN @st=2 THEN @now ELSE stuck_at END, needs_eval=0, updated_at=@now WHERE id=@id",
                new { st, now, id }, tx);
        return 0;
    });

    /// <summary>The options of PUT /rules/{id} that are one column each (priority, meta, eol_at, purge_replicas, activity, source_replica_expression).</summary>
    private static async Task UpdateColumns(DbConnection c, DbTransaction tx, Rule rule, RuleColumnUpdate u, DateTimeOffset now)
    {
        if (u.Priority is < 1 or > 5) throw FerryException.Invalid("priority must be between 1 and 5");
        if (u.Activity is { } a && !Activities.Contains(a)) throw FerryException.Invalid($"Unknown activity '{a}'");
        if (u.SourceReplicaExpression is { } src) RseExpression.Parse(src).Evaluate(await RseCatalog.Facts(c, tx));
        var updated = rule with
        {
            Priority = u.Priority ?? rule.Priority, Meta = u.MetaGiven ? u.Meta : rule.Meta, EolAt = u.EolGiven ? u.EolAt : rule.EolAt,
            PurgeReplicas = u.PurgeReplicas ?? rule.PurgeReplicas, Activity = u.Activity ?? rule.Activity,
            SourceReplicaExpression = u.SourceGiven ? u.SourceReplicaExpression : rule.SourceReplicaExpression, UpdatedAt = now,
        };
        // A new source restriction applies to transfers queued from now on; the judge re-queues stuck locks with it.
        await c.ExecuteAsync("""
            UPDATE rules SET priority=@Priority, meta=@Meta, eol_at=@EolAt, purge_replicas=@PurgeReplicas, activity=@Activity,
            source_replica_expression=@SourceReplicaExpression, updated_at=@UpdatedAt WHERE id=@Id
            """, updated, tx);
    }

    /// <summary>Rucio's REST delete only schedules expiry within the hour; <paramref name="immediate"/> removes the rule now.</summary>
    public Task DeleteAsync(string id, bool? purgeReplicas, bool immediate) => db.WriteAsync(async (c, tx) =>
    {
        var rule = await Get(c, tx, id);
        if (rule.Locked) throw new FerryException("UnsupportedOperation", 401, $"Rule {id} is locked: unlock it (rule update --locked false) before deleting it");
        var now = clock.GetUtcNow();
        if (purgeReplicas is { } p)
        {
            await c.ExecuteAsync("UPDATE rules SET purge_replicas=@p WHERE id=@id", new { p, id }, tx);
            rule = rule with { PurgeReplicas = p };
        }
        if (immediate) { await Remove(c, tx, rule, now); return 0; }
        var soon = now.AddHours(1);
        var expires = rule.ExpiresAt is { } e && e < soon ? e : soon;
        return await c.ExecuteAsync("UPDATE rules SET expires_at=@expires, updated_at=@now WHERE id=@id", new { expires, now, id }, tx);
    });

    /// <summary>The judge-cleaner: removes expired, unlocked rules. Returns how many went.</summary>
    public Task<int> RemoveExpiredAsync(int limit) => db.WriteAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        var due = (await c.QueryAsync<Rule>("SELECT * FROM rules WHERE expires_at IS NOT NULL AND expires_at<=@now AND locked=0 LIMIT @limit", new { now, limit }, tx)).AsList();
        foreach (var rule in due) await Remove(c, tx, rule, now);
        return due.Count;
    });

    /// <summary>The judge-evaluator: re-applies rules whose DID content changed or that wait for a source.</summary>
    public async Task<int> EvaluatePendingAsync(int limit)
    {
        var ids = await db.ReadAsync(async c => (await c.QueryAsync<string>("SELECT id FROM rules WHERE needs_eval=1 AND state<>@suspended LIMIT @limit",
            new { limit, suspended = RuleState.Suspended })).AsList());
        foreach (var id in ids)
        {
            await db.WriteAsync(async (c, tx) =>
            {
                var rule = await c.QuerySingleOrDefaultAsync<Rule>("SELECT * FROM rules WHERE id=@id AND needs_eval=1", new { id }, tx);
                if (rule is not null) await RuleReconciler.Apply(c, tx, rule, clock.GetUtcNow(), random);
                return 0;
            });
        }
        return ids.Count;
    }

    /// <summary>
    /// The repairer: rules STUCK, or REPLICATING with nothing happening, for <paramref name="olderThan"/> are applied
    /// again, which retries stuck locks and re-queues transfers that were lost.
    /// </summary>
    public Task<int> RepairStuckAsync(TimeSpan olderThan) => db.WriteAsync((c, tx) =>
        c.ExecuteAsync("UPDATE rules SET needs_eval=1 WHERE state IN (@stuck, @replicating) AND needs_eval=0 AND updated_at<=@cutoff",
            new { stuck = RuleState.Stuck, replicating = RuleState.Replicating, cutoff = clock.GetUtcNow() - olderThan }, tx));

    /// <summary>Moves a rule to a new RSE expression: the new rule is created now; the old one goes once the new one is OK.</summary>
    /// <summary>
    /// Moves a rule: a child rule on the new expression replaces it once OK. Activity and source replica expression
    /// may be overridden for the child (Rucio's <c>override</c>); everything else is inherited.
    /// </summary>
    public Task<string> MoveAsync(string id, string rseExpression, string? activity = null, string? sourceReplicaExpression = null) => db.WriteAsync(async (c, tx) =>
    {
        if (activity is not null && !Activities.Contains(activity)) throw FerryException.Invalid($"Unknown activity '{activity}'");
        if (sourceReplicaExpression is not null) RseExpression.Parse(sourceReplicaExpression);
        var old = await Get(c, tx, id);
        if (old.ChildRuleId is not null) throw FerryException.Conflict("UnsupportedOperation", $"Rule {id} is already being moved (to rule {old.ChildRuleId})");
        if (old.RseExpression == rseExpression) throw FerryException.Conflict("UnsupportedOperation", $"Rule {id} already uses '{rseExpression}'");
        var now = clock.GetUtcNow();
        var facts = await RseCatalog.Facts(c, tx);
        var selected = RseExpression.Parse(rseExpression).Evaluate(facts);
        if (selected.Count < old.Copies)
            throw new FerryException("InsufficientTargetRSEs", 409, $"The rule has {old.Copies} copies but '{rseExpression}' selects only {selected.Count} RSE(s)");
        var child = old with
        {
            Id = Guid.NewGuid().ToString("N"), RseExpression = rseExpression, State = RuleState.Replicating, Locked = false, Error = null,
            LocksOkCnt = 0, LocksReplicatingCnt = 0, LocksStuckCnt = 0, StuckAt = null, ChildRuleId = null, CreatedAt = now, UpdatedAt = now,
            Activity = activity ?? old.Activity, SourceReplicaExpression = sourceReplicaExpression ?? old.SourceReplicaExpression,
        };
        await Insert(c, tx, child);
        await RuleReconciler.Apply(c, tx, child, now, random, strict: true, facts);
        await c.ExecuteAsync("UPDATE rules SET child_rule_id=@child, updated_at=@now WHERE id=@id", new { child = child.Id, now, id }, tx);
        return child.Id;
    });

    /// <summary>Parents of moved rules go once their child is OK.</summary>
    public Task<int> FinishMovesAsync() => db.WriteAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        var done = (await c.QueryAsync<Rule>("""
            SELECT p.* FROM rules p JOIN rules ch ON ch.id=p.child_rule_id WHERE ch.state=@ok
            """, new { ok = RuleState.Ok }, tx)).AsList();
        foreach (var parent in done) await Remove(c, tx, parent, now);
        // A parent whose child was deleted is an ordinary rule again.
        await c.ExecuteAsync("UPDATE rules SET child_rule_id=NULL WHERE child_rule_id IS NOT NULL AND child_rule_id NOT IN (SELECT id FROM rules)", transaction: tx);
        return done.Count;
    });

    private static Task Insert(DbConnection c, DbTransaction tx, Rule rule) => c.ExecuteAsync("""
        INSERT INTO rules(id,account,scope,name,did_type,rse_expression,copies,grouping,weight,expires_at,locked,source_replica_expression,
            activity,notification,purge_replicas,ignore_availability,priority,comments,state,needs_eval,created_at,updated_at,
            subscription_id,ignore_account_limit,eol_at,split_container,meta)
        VALUES (@Id,@Account,@Scope,@Name,@DidType,@RseExpression,@Copies,@Grouping,@Weight,@ExpiresAt,@Locked,@SourceReplicaExpression,
            @Activity,@Notification,@PurgeReplicas,@IgnoreAvailability,@Priority,@Comments,@State,1,@CreatedAt,@UpdatedAt,
            @SubscriptionId,@IgnoreAccountLimit,@EolAt,@SplitContainer,@Meta)
        """, rule, tx);

    private static async Task Remove(DbConnection c, DbTransaction tx, Rule rule, DateTimeOffset now)
    {
        var locks = (await c.QueryAsync<ReplicaLock>("SELECT * FROM locks WHERE rule_id=@Id", rule, tx)).AsList();
        foreach (var l in locks)
            await RuleReconciler.RemoveLock(c, tx, l, rule.PurgeReplicas, now);
        await RuleReconciler.History(c, tx, rule with { LocksOkCnt = 0, LocksReplicatingCnt = 0, LocksStuckCnt = 0 }, now);
        await c.ExecuteAsync("DELETE FROM rules WHERE id=@Id", rule, tx);
    }

    private static async Task<Rule> Get(DbConnection c, DbTransaction tx, string id) =>
        await c.QuerySingleOrDefaultAsync<Rule>("SELECT * FROM rules WHERE id=@id", new { id }, tx) ?? throw FerryException.RuleNotFound(id);

    /// <summary>
    /// The rule a spec asks for, as single and bulk creation both make it (written once: the bulk path had drifted and
    /// dropped ignore_account_limit, split_container and meta).
    /// </summary>
    internal static Rule NewRule(RuleSpec spec, Did did, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid().ToString("N"), Account = spec.Account, Scope = did.Scope, Name = did.Name, DidType = did.Type,
        RseExpression = spec.RseExpression, Copies = spec.Copies, Grouping = spec.Grouping, Weight = spec.Weight,
        ExpiresAt = spec.LifetimeSeconds is { } l ? now.AddSeconds(l) : null, Locked = spec.Locked,
        SourceReplicaExpression = spec.SourceReplicaExpression, Activity = spec.Activity ?? "User Subscriptions",
        Notification = spec.Notification, PurgeReplicas = spec.PurgeReplicas, IgnoreAvailability = spec.IgnoreAvailability,
        Priority = spec.Priority, Comments = spec.Comment, State = RuleState.Replicating, CreatedAt = now, UpdatedAt = now,
        IgnoreAccountLimit = spec.IgnoreAccountLimit, SplitContainer = spec.SplitContainer, Meta = spec.Meta,
        SubscriptionId = spec.SubscriptionId,
    };
}
