using System.Data.Common;
using System.Text.Json;
using Dapper;
using Ferry.Catalog.Rses;
using Ferry.Catalog.Rules;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Model;
using Ferry.Core.Policies;
using Ferry.Core.Rules;

namespace Ferry.Catalog.Subscriptions;

/// <summary>What a dry run says one existing DID would get.</summary>
public sealed record PlannedRule(string RseExpression, int Copies, IReadOnlyList<string> Rses, string? Problem);

public sealed record PlannedDid(string Scope, string Name, DidType Type, IReadOnlyList<PlannedRule> Rules);

public sealed partial class SubscriptionCatalog
{
    /// <summary>
    /// A DID is looked at again for this long after its creation, so that one committed late (its clock read before
    /// another's) or whose metadata arrived after it is not missed. History rows keep the second look from repeating work.
    /// </summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromMinutes(1);

    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    // Type as long: Dapper matches a record's constructor by exact column types.
    private sealed record Candidate(string Scope, string Name, long Type, DateTimeOffset CreatedAt, string Account)
    {
        public DidType DidType => (DidType)Type;
    }

    /// <summary>
    /// One round over every ACTIVE subscription whose lease is free: new matching DIDs get the rules, in template
    /// order. Returns how many DIDs got rules or failed.
    /// </summary>
    public async Task<int> RunAsync(string owner, CancellationToken ct = default)
    {
        var handled = 0;
        foreach (var s in await ListAsync(null))
        {
            ct.ThrowIfCancellationRequested();
            if (s.State != Active || s.ExpiresAt < clock.GetUtcNow() || !await ClaimAsync(s.Id, owner)) continue;
            try { handled += await ProcessAsync(s, owner, ct); }
            finally { await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE subscriptions SET lease_owner=NULL, lease_until=0 WHERE id=@Id AND lease_owner=@owner", new { s.Id, owner }, tx)); }
        }
        return handled;
    }

    /// <summary>Owners of the subscription leases now held.</summary>
    public Task<IReadOnlyList<string>> LeaseOwnersAsync() => db.ReadAsync<IReadOnlyList<string>>(async c =>
        (await c.QueryAsync<string>("SELECT DISTINCT lease_owner FROM subscriptions WHERE lease_owner IS NOT NULL")).AsList());

    /// <summary>Frees the leases of these owners (processes known dead) at once; leases of live subscribers are never touched.</summary>
    public Task<int> ReleaseLeasesAsync(IReadOnlyCollection<string> owners) => owners.Count == 0 ? Task.FromResult(0) : db.WriteAsync((c, tx) =>
        c.ExecuteAsync("UPDATE subscriptions SET lease_owner=NULL, lease_until=0 WHERE lease_owner IN @owners", new { owners }, tx));

    private Task<bool> ClaimAsync(string id, string owner) => db.WriteAsync(async (c, tx) =>
    {
        var now = clock.GetUtcNow();
        return await c.ExecuteAsync("""
            UPDATE subscriptions SET lease_owner=@owner, lease_until=@until
            WHERE id=@id AND state='ACTIVE' AND (lease_until<@now OR lease_owner=@owner)
            """, new { owner, until = now + Lease, id, now }, tx) == 1;
    });

    private async Task<int> ProcessAsync(Subscription s, string owner, CancellationToken ct)
    {
        var handled = 0;
        var from = s.CursorAt - Overlap < s.SinceAt ? s.SinceAt : s.CursorAt - Overlap;
        // Keyset start just before `from`: the empty scope sorts before every real one.
        var last = new Candidate("", "", 0, from.AddMilliseconds(-1), "");
        var newest = s.CursorAt;
        while (true)
        {
            var batch = await db.ReadAsync(c => Candidates(c, s, last, 500));
            if (batch.Count == 0) break;
            foreach (var d in batch)
            {
                ct.ThrowIfCancellationRequested();
                if (d.CreatedAt > newest) newest = d.CreatedAt;
                var meta = s.Filter.Meta.Count == 0 ? new Dictionary<string, string>() : await db.ReadAsync(c => Meta(c, d.Scope, d.Name));
                if (!s.Filter.Matches(d.Scope, d.Name, d.DidType, meta, d.Account)) continue;
                if (await PlaceAsync(s, owner, d)) handled++;
            }
            last = batch[^1];
        }
        await db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE subscriptions SET cursor_at=@newest WHERE id=@Id AND cursor_at<@newest", new { newest, s.Id }, tx));
        return handled;
    }

    private static async Task<IReadOnlyList<Candidate>> Candidates(DbConnection c, Subscription s, Candidate after, int limit)
    {
        var scopes = s.Filter.Scopes.Count > 0 ? " AND d.scope IN @scopes" : "";
        var types = s.Filter.DidTypes.Count > 0 ? " AND d.type IN @types" : "";
        return (await c.QueryAsync<Candidate>($"""
            SELECT d.scope, d.name, d.type, d.created_at AS createdat, d.account FROM dids d
            WHERE (d.created_at>@at OR (d.created_at=@at AND (d.scope>@scope OR (d.scope=@scope AND d.name>@name)))){scopes}{types}
              AND NOT EXISTS (SELECT 1 FROM subscription_dids h WHERE h.subscription_id=@id AND h.scope=d.scope AND h.name=d.name)
            ORDER BY d.created_at, d.scope, d.name LIMIT @limit
            """, new { at = after.CreatedAt, scope = after.Scope, name = after.Name, scopes = s.Filter.Scopes, types = s.Filter.DidTypes.Select(t => (int)t).ToList(), id = s.Id, limit })).AsList();
    }

    private static async Task<Dictionary<string, string>> Meta(DbConnection c, string scope, string name) =>
        (await c.QueryAsync<(string Key, string Value)>("SELECT key, value FROM did_meta WHERE scope=@scope AND name=@name", new { scope, name }))
        .ToDictionary(m => m.Key, m => MetaText(m.Value));

    /// <summary>Metadata values are stored as JSON; a filter compares with the string itself, or the JSON text of a number.</summary>
    private static string MetaText(string stored)
    {
        try
        {
            using var doc = JsonDocument.Parse(stored);
            return doc.RootElement.ValueKind == JsonValueKind.String ? doc.RootElement.GetString()! : doc.RootElement.GetRawText();
        }
        catch (JsonException) { return stored; }
    }

    /// <summary>The history row and all of the DID's rules in one transaction; if one rule is refused none is made and the DID is FAILED.</summary>
    private async Task<bool> PlaceAsync(Subscription s, string owner, Candidate d)
    {
        try
        {
            return await db.WriteAsync(async (c, tx) =>
            {
                var now = clock.GetUtcNow();
                var leased = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM subscriptions WHERE id=@Id AND state='ACTIVE' AND lease_owner=@owner", new { s.Id, owner }, tx);
                if (leased == 0) return false; // disabled meanwhile, or the lease went to another worker
                var inserted = await c.ExecuteAsync("""
                    INSERT INTO subscription_dids(subscription_id,scope,name,state,created_at) VALUES (@Id,@scope,@name,'DONE',@now)
                    ON CONFLICT DO NOTHING
                    """, new { s.Id, scope = d.Scope, name = d.Name, now }, tx);
                if (inserted == 0) return false;
                var ids = new List<string>();
                foreach (var t in s.Rules) ids.AddRange(await AddRule(c, tx, s, t, d, now, random));
                await c.ExecuteAsync("UPDATE subscription_dids SET rule_ids=@ids WHERE subscription_id=@Id AND scope=@scope AND name=@name",
                    new { ids = string.Join(',', ids), s.Id, scope = d.Scope, name = d.Name }, tx);
                return true;
            });
        }
        catch (FerryException e)
        {
            await db.WriteAsync((c, tx) => c.ExecuteAsync("""
                INSERT INTO subscription_dids(subscription_id,scope,name,state,error,created_at) VALUES (@Id,@scope,@name,'FAILED',@error,@now)
                ON CONFLICT DO NOTHING
                """, new { s.Id, scope = d.Scope, name = d.Name, error = $"{e.ExceptionClass}: {e.Message}", now = clock.GetUtcNow() }, tx));
            return true;
        }
    }

    /// <summary>A rule the account already has on the DID (same expression and copies) counts as placed.</summary>
    private static async Task<IReadOnlyList<string>> AddRule(DbConnection c, DbTransaction tx, Subscription s, RuleTemplate t, Candidate d, DateTimeOffset now, Random random)
    {
        var existing = await c.ExecuteScalarAsync<string?>(
            "SELECT id FROM rules WHERE scope=@Scope AND name=@Name AND account=@account AND rse_expression=@RseExpression AND copies=@Copies",
            new { d.Scope, d.Name, account = s.Account, t.RseExpression, t.Copies }, tx);
        if (existing is not null) return [existing];
        return await RuleCatalog.Add(c, tx, new RuleSpec
        {
            Dids = [(d.Scope, d.Name)], Account = s.Account, RseExpression = t.RseExpression, Copies = t.Copies, Grouping = t.Grouping,
            LifetimeSeconds = t.Lifetime, Activity = t.Activity, Comment = $"subscription {s.Name}", SubscriptionId = s.Id,
        }, now, random);
    }

    /// <summary>Which existing DIDs the filter matches and what each would get; nothing is written.</summary>
    public Task<IReadOnlyList<PlannedDid>> DryRunAsync(SubscriptionFilter filter, IReadOnlyList<RuleTemplate> rules, int limit) => db.ReadAsync<IReadOnlyList<PlannedDid>>(async c =>
    {
        Validate(filter, rules, null);
        var facts = await RseCatalog.Facts(c, null);
        var plans = rules.Select(t =>
        {
            var rses = RseExpression.Parse(t.RseExpression).Evaluate(facts);
            return new PlannedRule(t.RseExpression, t.Copies, rses,
                rses.Count < t.Copies ? $"the expression selects {rses.Count} RSE(s), fewer than {t.Copies} copies" : null);
        }).ToList();
        var probe = new Subscription { Id = "", Name = "", Account = "", Filter = filter, Rules = rules, State = Active };
        var found = new List<PlannedDid>();
        var last = new Candidate("", "", 0, DateTimeOffset.FromUnixTimeMilliseconds(-1), "");
        while (found.Count < limit)
        {
            var batch = await Candidates(c, probe, last, 1000);
            if (batch.Count == 0) break;
            foreach (var d in batch)
            {
                var meta = filter.Meta.Count == 0 ? new Dictionary<string, string>() : await Meta(c, d.Scope, d.Name);
                if (filter.Matches(d.Scope, d.Name, d.DidType, meta, d.Account) && found.Count < limit) found.Add(new PlannedDid(d.Scope, d.Name, d.DidType, plans));
            }
            last = batch[^1];
        }
        return found;
    });
}
