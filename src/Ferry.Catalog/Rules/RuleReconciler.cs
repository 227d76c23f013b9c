using System.Data.Common;
using Dapper;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Model;
using Ferry.Core.Rules;

namespace Ferry.Catalog.Rules;

/// <summary>
/// Brings a rule's locks in line with the files under its DID and the RSEs its expression selects, queueing a transfer for
/// every lock whose replica is missing. The decisions are <see cref="RulePlanner"/>'s: this class loads its facts in bulk
/// and writes its plan. Every method runs inside the caller's write transaction, so a crash leaves either the old state
/// or the new one.
/// </summary>
internal static partial class RuleReconciler
{
    internal sealed record GroupFile : IPlacedFile
    {
        public required string DsScope { get; init; }
        public required string DsName { get; init; }
        public required string Scope { get; init; }
        public required string Name { get; init; }
        public long Bytes { get; init; }
        public string? Adler32 { get; init; }
        public string? Md5 { get; init; }
    }

    /// <param name="strict">At creation a placement problem refuses the rule; at re-evaluation it marks the rule STUCK with the reason.</param>
    /// <param name="facts">The RSEs as this transaction already read them, when the caller has them (a bulk creation reads them once).</param>
    public static async Task Apply(DbConnection c, DbTransaction tx, Rule rule, DateTimeOffset now, Random random, bool strict = false,
        IReadOnlyList<RseFacts>? facts = null)
    {
        var (files, groups) = await PlacementFiles(c, tx, rule);
        var locks = (await c.QueryAsync<ReplicaLock>("SELECT * FROM locks WHERE rule_id=@Id", rule, tx)).AsList();
        var hadLocks = locks.Count > 0;
        var rses = facts ?? await RseCatalog.Facts(c, tx);
        // A rule with no locks yet (a new one) has none stuck to move, and a DID with no files nothing to place: each
        // query skipped is a round trip saved per rule, which is what bulk rule creation costs on PostgreSQL.
        var failed = hadLocks ? await FailedDestinations(c, tx, rule) : [];
        var bulk = new BulkLocks(c, tx, rule, now);
        var plan = RulePlanner.Plan(new PlacementFacts<GroupFile>
        {
            Rule = rule, Groups = groups, Locks = locks, FailedDestinations = failed, Rses = rses,
            Room = await Room(c, tx),
            HeldByGroup = files.Count == 0 ? [] : await bulk.Load(groups),
            Quota = await NeedsQuota(c, tx, rule, files, locks, failed) ? await Accounts.QuotaCatalog.Load(c, tx, rule.Account, rses) : null,
        }, random);
        if (plan.Refusal is { } refusal && (strict || !RulePlanner.PlacementRefusals.Contains(refusal.ExceptionClass))) throw refusal;
        foreach (var r in plan.Removals) await RemoveLock(c, tx, r.Lock, r.Purge, now);
        foreach (var p in plan.Placements)
            if (p.Files is null) bulk.PlanGroup(p.Group, groups[p.Group], p.RseId);
            else bulk.PlanFiles(p.Files, p.RseId);
        // Every placement is written at once, in key order; groups placed before a refusal keep their locks.
        await bulk.Flush(plan.AllowedSources);
        if (hadLocks && plan.Refusal is null) await RequeueStuck(c, tx, rule, now);
        var error = plan.Refusal is { } e ? $"{e.ExceptionClass}: {e.Message}" : null;
        await c.ExecuteAsync("UPDATE rules SET needs_eval=0, eval_lease_until=0, error=@error WHERE id=@Id", new { error, rule.Id }, tx);
        await Recount(c, tx, rule.Id, now, forceStuck: error is not null);
    }

    /// <summary>Bytes each RSE can still take: the free space its storage last reported, less its MinFreeSpace limit.</summary>
    private static async Task<Dictionary<string, long>> Room(DbConnection c, DbTransaction tx) =>
        (await c.QueryAsync<(string RseId, long Room)>("""
            SELECT f.rse_id, f.free_bytes - COALESCE((SELECT value FROM rse_limits l WHERE l.rse_id=f.rse_id AND l.name='MinFreeSpace'), 0)
            FROM rse_free_space f
            """, transaction: tx)).ToDictionary(x => x.RseId, x => x.Room);

    /// <summary>
    /// Whether the plan needs the account's quotas: not for admins or rules that ignore account limits, and not when every
    /// file already has its copies and no lock is to move (a re-evaluation of a placed rule reads no quota).
    /// </summary>
    private static async Task<bool> NeedsQuota(DbConnection c, DbTransaction tx, Rule rule, List<GroupFile> files, List<ReplicaLock> locks,
        Dictionary<(string Scope, string Name), HashSet<string>> failed)
    {
        if (rule.IgnoreAccountLimit || files.Count == 0) return false;
        if (failed.Count == 0)
        {
            var counts = locks.GroupBy(l => (l.Scope, l.Name)).ToDictionary(g => g.Key, g => g.Count());
            if (files.All(f => counts.GetValueOrDefault((f.Scope, f.Name)) >= rule.Copies)) return false;
        }
        return await c.ExecuteScalarAsync<string?>("SELECT value FROM account_attrs WHERE account=@Account AND key='admin'", rule, tx) is not ("true" or "True");
    }

    /// <summary>Drops a lock; a replica left with no lock gets a tombstone (the epoch when the rule purges) so the reaper can take it.</summary>
    public static async Task RemoveLock(DbConnection c, DbTransaction tx, ReplicaLock l, bool purge, DateTimeOffset now)
    {
        await c.ExecuteAsync("DELETE FROM locks WHERE rule_id=@RuleId AND scope=@Scope AND name=@Name AND rse_id=@RseId", l, tx);
        await c.ExecuteAsync("UPDATE replicas SET lock_cnt=CASE WHEN lock_cnt>0 THEN lock_cnt-1 ELSE 0 END, updated_at=@now WHERE scope=@Scope AND name=@Name AND rse_id=@RseId",
            new { now, l.Scope, l.Name, l.RseId }, tx);
        var replica = await Replicas.ReplicaCatalog.Get(c, tx, l.Scope, l.Name, l.RseId);
        if (replica is { LockCnt: 0 })
        {
            await c.ExecuteAsync("UPDATE replicas SET tombstone=@t WHERE scope=@Scope AND name=@Name AND rse_id=@RseId",
                new { t = purge || replica.State != ReplicaState.Available ? DateTimeOffset.UnixEpoch : now, l.Scope, l.Name, l.RseId }, tx);
            await Transfers.TransferCatalog.Cancel(c, tx, l.Scope, l.Name, l.RseId, now);
        }
        await AdjustUsage(c, tx, l.Account, l.RseId, -l.Bytes, -1);
    }

    /// <summary>
    /// Stuck locks whose file now has a readable source get another transfer, and locks on a replica declared BAD get
    /// it copied again from a good one (or go STUCK when there is none).
    /// </summary>
    private static async Task RequeueStuck(DbConnection c, DbTransaction tx, Rule rule, DateTimeOffset now)
    {
        var candidates = (await c.QueryAsync<ReplicaLock>("""
            SELECT l.* FROM locks l JOIN replicas r ON r.scope=l.scope AND r.name=l.name AND r.rse_id=l.rse_id
            WHERE l.rule_id=@Id AND (l.state=@stuck OR r.state=@bad OR (l.state=@replicating AND r.state=@copying AND NOT EXISTS (
                SELECT 1 FROM requests q WHERE q.scope=l.scope AND q.name=l.name AND q.dest_rse_id=l.rse_id AND q.state IN (0, 1))))
            """, new { rule.Id, stuck = LockState.Stuck, bad = ReplicaState.Bad, replicating = LockState.Replicating, copying = ReplicaState.Copying }, tx)).AsList();
        foreach (var l in candidates)
        {
            var replica = await Replicas.ReplicaCatalog.Get(c, tx, l.Scope, l.Name, l.RseId);
            if (replica is null || replica.State is ReplicaState.BeingDeleted) continue;
            if (replica.State == ReplicaState.Available) { await SetLockState(c, tx, l, LockState.Ok, now); continue; }
            if (!await HasSource(c, tx, rule, l.Scope, l.Name, l.RseId))
            {
                // A COPYING replica with no source elsewhere is an upload still under way: leave it to the uploader.
                if (l.State != LockState.Stuck && replica.State != ReplicaState.Copying) await SetLockState(c, tx, l, LockState.Stuck, now);
                continue;
            }
            var did = (await DidCatalog.Find(c, tx, l.Scope, l.Name))!;
            await c.ExecuteAsync("UPDATE replicas SET state=@st, updated_at=@now WHERE scope=@Scope AND name=@Name AND rse_id=@RseId",
                new { st = ReplicaState.Copying, now, l.Scope, l.Name, l.RseId }, tx);
            await Transfers.TransferCatalog.Queue(c, tx, did, l.RseId, now, rule.SourceReplicaExpression);
            await SetLockState(c, tx, l, LockState.Replicating, now);
        }
    }

    private static Task SetLockState(DbConnection c, DbTransaction tx, ReplicaLock l, LockState state, DateTimeOffset now) =>
        c.ExecuteAsync("UPDATE locks SET state=@state, updated_at=@now WHERE rule_id=@RuleId AND scope=@Scope AND name=@Name AND rse_id=@RseId",
            new { state, now, l.RuleId, l.Scope, l.Name, l.RseId }, tx);

    private static async Task<bool> HasSource(DbConnection c, DbTransaction tx, Rule rule, string scope, string name, string destRseId)
    {
        var sources = await Transfers.TransferCatalog.Sources(c, tx, scope, name, destRseId);
        if (sources.Count == 0 || rule.SourceReplicaExpression is null) return sources.Count > 0;
        var allowed = RulePlanner.AllowedSources(rule, await RseCatalog.Facts(c, tx))!;
        return sources.Any(s => allowed.Contains(s.Rse));
    }

    /// <summary>A replica became AVAILABLE: locks on it are OK now, and rules stuck on this file elsewhere get another look.</summary>
    public static async Task OnReplicaAvailable(DbConnection c, DbTransaction tx, string scope, string name, string rseId, DateTimeOffset now)
    {
        // In rule order, so that two transactions locking the same rules' rows (Recount) take them in the same order.
        var rules = (await c.QueryAsync<string>("SELECT rule_id FROM locks WHERE scope=@scope AND name=@name AND rse_id=@rseId ORDER BY rule_id", new { scope, name, rseId }, tx)).AsList();
        await c.ExecuteAsync("UPDATE locks SET state=@ok, updated_at=@now WHERE scope=@scope AND name=@name AND rse_id=@rseId",
            new { ok = LockState.Ok, now, scope, name, rseId }, tx);
        foreach (var id in rules) await Recount(c, tx, id, now);
        await c.ExecuteAsync("UPDATE rules SET needs_eval=1 WHERE id IN (SELECT rule_id FROM locks WHERE scope=@scope AND name=@name AND state=@st)",
            new { scope, name, st = LockState.Stuck }, tx);
    }

    /// <summary>Counters are recounted from the locks, never incremented, so they cannot drift.</summary>
    public static async Task Recount(DbConnection c, DbTransaction tx, string ruleId, DateTimeOffset now, bool forceStuck = false)
    {
        // The rule's row is locked before its locks are counted: a transfer completing at the same time in another
        // transaction (READ COMMITTED on PostgreSQL) waits here, and its count then sees this one's committed change.
        var rule = await c.QuerySingleAsync<Rule>($"SELECT * FROM rules WHERE id=@ruleId {Db.SqlDialect.For(c).ForUpdate}", new { ruleId }, tx);
        var counts = (await c.QueryAsync<(LockState State, long N)>("SELECT state, COUNT(*) FROM locks WHERE rule_id=@ruleId GROUP BY state", new { ruleId }, tx))
            .ToDictionary(x => x.State, x => x.N);
        long ok = counts.GetValueOrDefault(LockState.Ok), rep = counts.GetValueOrDefault(LockState.Replicating), stuck = counts.GetValueOrDefault(LockState.Stuck);
        var state = rule.State == RuleState.Suspended ? RuleState.Suspended
            : stuck > 0 || forceStuck ? RuleState.Stuck : rep > 0 ? RuleState.Replicating : RuleState.Ok;
        await c.ExecuteAsync("""
            UPDATE rules SET locks_ok_cnt=@ok, locks_replicating_cnt=@rep, locks_stuck_cnt=@stuck, state=@state,
            stuck_at=CASE WHEN @state=2 THEN COALESCE(stuck_at, @now) ELSE NULL END, updated_at=@now WHERE id=@ruleId
            """, new { ok, rep, stuck, state, now, ruleId }, tx);
        await Notify(c, tx, rule, state, ok, ok + rep + stuck, now);
        if (state != rule.State || rule.LocksOkCnt + rule.LocksReplicatingCnt + rule.LocksStuckCnt == 0)
            await History(c, tx, rule with { State = state, LocksOkCnt = ok, LocksReplicatingCnt = rep, LocksStuckCnt = stuck }, now);
    }

    /// <summary>
    /// Rucio's rule notifications, as rows of the messages table for a message broker or a poller to forward:
    /// RULE_OK when a rule with notify YES, CLOSE or PROGRESS becomes OK, and for PROGRESS a RULE_PROGRESS each time
    /// another tenth of its locks is OK.
    /// </summary>
    private static async Task Notify(DbConnection c, DbTransaction tx, Rule rule, RuleState state, long ok, long total, DateTimeOffset now)
    {
        if (rule.Notification is not ("YES" or "CLOSE" or "PROGRESS") || total == 0) return;
        async Task Emit(string type, object payload) => await c.ExecuteAsync(
            "INSERT INTO messages(event_type, payload, created_at) VALUES (@type, @payload, @now)",
            new { type, payload = System.Text.Json.JsonSerializer.Serialize(payload), now }, tx);
        var tenths = ok * 10 / total;
        if (rule.Notification == "PROGRESS" && tenths > rule.LocksOkCnt * 10 / Math.Max(1, rule.LocksOkCnt + rule.LocksReplicatingCnt + rule.LocksStuckCnt))
            await Emit("RULE_PROGRESS", new { rule_id = rule.Id, scope = rule.Scope, name = rule.Name, progress = (int)(tenths * 10) });
        if (state == RuleState.Ok && rule.State != RuleState.Ok)
            await Emit("RULE_OK", new { rule_id = rule.Id, scope = rule.Scope, name = rule.Name, rse_expression = rule.RseExpression, account = rule.Account });
    }

    /// <summary>A history row: the rule's state and counters now, and every RSE it has held locks on so far.</summary>
    public static async Task History(DbConnection c, DbTransaction tx, Rule r, DateTimeOffset now)
    {
        // One round trip for both: RSE names hold no commas, so the current names and the earlier lists split alike.
        var held = await c.QueryAsync<string?>("""
            SELECT s.name FROM locks l JOIN rses s ON s.id=l.rse_id WHERE l.rule_id=@Id
            UNION SELECT rses FROM rule_history WHERE rule_id=@Id
            """, r, tx);
        var rses = string.Join(',', held.Where(e => !string.IsNullOrEmpty(e)).SelectMany(e => e!.Split(',')).Distinct().Order(StringComparer.Ordinal));
        await c.ExecuteAsync("""
            INSERT INTO rule_history(rule_id,account,scope,name,rse_expression,state,locks_ok_cnt,locks_replicating_cnt,locks_stuck_cnt,created_at,updated_at,rses)
            VALUES (@Id,@Account,@Scope,@Name,@RseExpression,@State,@LocksOkCnt,@LocksReplicatingCnt,@LocksStuckCnt,@CreatedAt,@now,@rses)
            """, new { r.Id, r.Account, r.Scope, r.Name, r.RseExpression, r.State, r.LocksOkCnt, r.LocksReplicatingCnt, r.LocksStuckCnt, r.CreatedAt, now, rses }, tx);
    }

    private static Task AdjustUsage(DbConnection c, DbTransaction tx, string account, string rseId, long bytes, long files) => c.ExecuteAsync("""
        INSERT INTO account_usage(account,rse_id,files,bytes) VALUES (@account,@rseId,@files,@bytes)
        ON CONFLICT(account,rse_id) DO UPDATE SET files=account_usage.files+excluded.files, bytes=account_usage.bytes+excluded.bytes
        """, new { account, rseId, files, bytes }, tx);
}
