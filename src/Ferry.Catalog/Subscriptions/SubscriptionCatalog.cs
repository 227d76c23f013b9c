using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Rules;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Policies;

namespace Ferry.Catalog.Subscriptions;

public sealed record Subscription
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Account { get; init; }
    public required SubscriptionFilter Filter { get; init; }
    public required IReadOnlyList<RuleTemplate> Rules { get; init; }
    public required string State { get; init; }
    public string? Comments { get; init; }
    /// <summary>DIDs created from here on (less an overlap) are still looked at.</summary>
    public DateTimeOffset CursorAt { get; init; }
    /// <summary>DIDs created before this are never looked at (the epoch for a retroactive subscription).</summary>
    public DateTimeOffset SinceAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>After this the subscription places nothing more (Rucio's lifetime); null: never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>Rucio's policyid: carried for Rucio's clients, not used for ordering.</summary>
    public int Priority { get; init; } = 3;
}

/// <summary>What a subscription did for one DID: DONE with the rules it made, or FAILED with why.</summary>
public sealed record SubscriptionDid(string Scope, string Name, string State, string? RuleIds, string? Error, DateTimeOffset CreatedAt);

public sealed record SubscriptionChange(SubscriptionFilter? Filter, IReadOnlyList<RuleTemplate>? Rules, string? State, string? Comments,
    DateTimeOffset? ExpiresAt = null, int? Priority = null);

/// <summary>
/// Subscriptions and their history. A DID gets a subscription's rules at most once: the history row and the rules are
/// written in one transaction, and the row's key is (subscription, DID).
/// </summary>
public sealed partial class SubscriptionCatalog(ICatalogDatabase db, TimeProvider clock, Random random)
{
    public const string Active = "ACTIVE", Inactive = "INACTIVE";

    private const string Columns = "id, name, account, filter, rules, state, comments, since_at AS sinceat, cursor_at AS cursorat, created_at AS createdat, updated_at AS updatedat, expires_at AS expiresat, priority";

    private sealed record Row(string Id, string Name, string Account, string Filter, string Rules, string State, string? Comments,
        DateTimeOffset SinceAt, DateTimeOffset CursorAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ExpiresAt, long Priority)
    {
        public Subscription ToSubscription() => new()
        {
            Id = Id, Name = Name, Account = Account, Filter = PolicyJson.Read<SubscriptionFilter>(Filter, "filter"),
            Rules = PolicyJson.Read<List<RuleTemplate>>(Rules, "rules"), State = State, Comments = Comments, SinceAt = SinceAt, CursorAt = CursorAt,
            CreatedAt = CreatedAt, UpdatedAt = UpdatedAt, ExpiresAt = ExpiresAt, Priority = (int)Priority,
        };
    }

    /// <summary>
    /// A new subscription looks at DIDs created from now on; <paramref name="retroactive"/> makes it look at the whole
    /// catalogue as well.
    /// </summary>
    public Task<Subscription> AddAsync(string name, string account, SubscriptionFilter filter, IReadOnlyList<RuleTemplate> rules, bool retroactive, string? comments,
        DateTimeOffset? expiresAt = null, int priority = 3) =>
        db.WriteAsync(async (c, tx) =>
        {
            ValidateName(name);
            Validate(filter, rules, comments);
            if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM accounts WHERE name=@account", new { account }, tx) == 0)
                throw FerryException.AccountNotFound(account);
            if (await Find(c, tx, name) is not null) throw FerryException.Conflict("SubscriptionDuplicate", $"A subscription named '{name}' already exists");
            var now = clock.GetUtcNow();
            var since = retroactive ? DateTimeOffset.FromUnixTimeMilliseconds(0) : now;
            var row = new Row(Guid.NewGuid().ToString("N"), name, account, PolicyJson.Write(filter), PolicyJson.Write(rules), Active, comments,
                since, since, now, now, expiresAt, priority);
            await c.ExecuteAsync("""
                INSERT INTO subscriptions(id,name,account,filter,rules,state,comments,since_at,cursor_at,created_at,updated_at,expires_at,priority)
                VALUES (@Id,@Name,@Account,@Filter,@Rules,@State,@Comments,@SinceAt,@CursorAt,@CreatedAt,@UpdatedAt,@ExpiresAt,@Priority)
                """, row, tx);
            return row.ToSubscription();
        });

    private static void ValidateName(string name)
    {
        if (name.Length is 0 or > 64 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
            throw FerryException.Invalid($"A subscription name is 1-64 letters, digits, '-', '_' or '.', got '{name}'");
    }

    private static void Validate(SubscriptionFilter filter, IReadOnlyList<RuleTemplate> rules, string? comments)
    {
        filter.Validated();
        if (rules.Count is 0 or > 20) throw FerryException.Invalid("A subscription has 1-20 rule templates");
        foreach (var r in rules)
        {
            r.Validated();
            if (r.Activity is { } a && !RuleCatalog.Activities.Contains(a)) throw FerryException.Invalid($"Unknown activity '{a}'");
        }
        if (comments is { Length: > 250 }) throw FerryException.Invalid("The comment is limited to 250 characters");
    }

    public Task<IReadOnlyList<Subscription>> ListAsync(string? account) => db.ReadAsync<IReadOnlyList<Subscription>>(async c =>
        (await c.QueryAsync<Row>($"SELECT {Columns} FROM subscriptions WHERE @account IS NULL OR account=@account ORDER BY name", new { account }))
        .Select(r => r.ToSubscription()).ToList());

    public Task<Subscription> GetAsync(string name) => db.ReadAsync(async c => await Find(c, null, name) ?? throw NotFound(name));

    private static FerryException NotFound(string name) => FerryException.NotFound("SubscriptionNotFound", $"No subscription named '{name}'");

    private static async Task<Subscription?> Find(DbConnection c, DbTransaction? tx, string name) =>
        (await c.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM subscriptions WHERE name=@name", new { name }, tx))?.ToSubscription();

    /// <summary>Changes what is given. DIDs that FAILED are tried again after any change, since the change may be the fix.</summary>
    public Task<Subscription> UpdateAsync(string name, SubscriptionChange change) => db.WriteAsync(async (c, tx) =>
    {
        var current = await Find(c, tx, name) ?? throw NotFound(name);
        var filter = change.Filter ?? current.Filter;
        var rules = change.Rules ?? current.Rules;
        var state = change.State?.ToUpperInvariant() ?? current.State;
        if (state is not (Active or Inactive)) throw FerryException.Invalid($"A subscription's state is ACTIVE or INACTIVE, not '{change.State}'");
        var comments = change.Comments ?? current.Comments;
        var expiresAt = change.ExpiresAt ?? current.ExpiresAt;
        var priority = change.Priority ?? current.Priority;
        Validate(filter, rules, comments);
        var now = clock.GetUtcNow();
        await c.ExecuteAsync("UPDATE subscriptions SET filter=@f, rules=@r, state=@state, comments=@comments, updated_at=@now, expires_at=@expiresAt, priority=@priority WHERE id=@Id",
            new { f = PolicyJson.Write(filter), r = PolicyJson.Write(rules), state, comments, now, expiresAt, priority, current.Id }, tx);
        await c.ExecuteAsync("DELETE FROM subscription_dids WHERE subscription_id=@Id AND state='FAILED'", current, tx);
        return current with { Filter = filter, Rules = rules, State = state, Comments = comments, UpdatedAt = now, ExpiresAt = expiresAt, Priority = priority };
    });

    public Task<IReadOnlyList<SubscriptionDid>> HistoryAsync(string name, int limit) => db.ReadAsync<IReadOnlyList<SubscriptionDid>>(async c =>
    {
        var s = await Find(c, null, name) ?? throw NotFound(name);
        return (await c.QueryAsync<SubscriptionDid>("""
            SELECT scope, name, state, rule_ids AS ruleids, error, created_at AS createdat FROM subscription_dids WHERE subscription_id=@Id ORDER BY created_at, scope, name LIMIT @limit
            """, new { s.Id, limit })).AsList();
    });
}
