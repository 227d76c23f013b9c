using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Catalog.Db.Postgres;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Rses;
using Ferry.Catalog.Rules;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Paths;

namespace Ferry.Catalog.Replicas;

/// <summary>One file in an add or update request (the dialect's replica file object).</summary>
public sealed record ReplicaFileSpec(string Scope, string Name, long? Bytes, string? Adler32, string? Md5, string? Guid, ReplicaState State);

/// <summary>A replica with the RSE it lives on, for listings.</summary>
public sealed record ReplicaView
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public required string RseId { get; init; }
    public required string Rse { get; init; }
    public ReplicaState State { get; init; }
    public long Bytes { get; init; }
    public string? Path { get; init; }
    public required string RseType { get; init; }
    public bool AvailabilityRead { get; init; }
    public bool Volatile { get; init; }
}

/// <summary>One RSE's share of a dataset: what it holds AVAILABLE (bytes, files) against the whole (Bytes, Length).</summary>
public sealed record DatasetReplica
{
    public required string Rse { get; init; }
    public required string RseId { get; init; }
    public long Bytes { get; init; }
    public long Length { get; init; }
    public long AvailableBytes { get; init; }
    public long AvailableLength { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A file and where it is; what POST /replicas/list returns per file.</summary>
public sealed record FileReplicas(Did File, IReadOnlyList<ReplicaView> Replicas, IReadOnlyCollection<string> Parents)
{
    /// <summary>Replicas of archives that hold the file (its Scope/Name are the archive's), when archives were resolved.</summary>
    public IReadOnlyList<ReplicaView> InArchives { get; init; } = [];
}

public sealed partial class ReplicaCatalog(ICatalogDatabase db, DidCatalog dids, TimeProvider clock)
{
    public const int MaxBatch = 1000;

    public Task AddAsync(string rseName, IReadOnlyList<ReplicaFileSpec> files, string account, bool ignoreAvailability) => db.WriteAsync(async (c, tx) =>
    {
        if (files.Count > MaxBatch) throw FerryException.Invalid($"At most {MaxBatch} files per request, got {files.Count}");
        var rse = await RseCatalog.Get(c, tx, rseName);
        if (!rse.AvailabilityWrite && !ignoreAvailability)
            throw new FerryException("ResourceTemporaryUnavailable", 503, $"RSE '{rseName}' is blocked for writes");
        var now = clock.GetUtcNow();
        // Set-based: a handful of statements per request however many files (a bulk upload registers 1,000 at a time).
        foreach (var f in files)
        {
            if (f.Bytes is not { } b || b < 0) throw FerryException.Invalid($"'{f.Scope}:{f.Name}': bytes must be given and not negative");
            ValidateChecksums(f);
        }
        if (files.GroupBy(f => (f.Scope, f.Name)).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw FerryException.Conflict("Duplicate", $"'{twice.Key.Scope}:{twice.Key.Name}' already has a replica on {rseName}");
        var specs = files.Select(f => new DidCatalog.FileSpec(f.Scope, f.Name, f.Bytes!.Value, f.Adler32?.ToLowerInvariant(), f.Md5?.ToLowerInvariant(), f.Guid)).ToList();
        HashSet<(string, string)> existed;
        IEnumerable<(string Scope, string Name)> inserted;
        if (c is PgConnection pg)
        {
            DidCatalog.ValidateNames(specs);
            (existed, inserted) = await PostgresRegistration.RunAsync(pg, tx, rse.Id, files, specs, account, now);
        }
        else
        {
            existed = await dids.EnsureFiles(c, tx, specs, account);
            // A file that already has a replica on the RSE is left as it is, as the dialect does: registering again (a
            // retried request, or a replica added with its dataset and then on its own) changes nothing and is no error.
            // Only a file whose DID existed before can have one, so a batch of new files skips the lookup.
            var present = new HashSet<(string, string)>();
            foreach (var group in files.Where(f => existed.Contains((f.Scope, f.Name))).GroupBy(f => f.Scope))
                foreach (var chunk in group.Select(f => f.Name).Chunk(1000))
                    foreach (var name in await c.QueryAsync<string>("SELECT name FROM replicas WHERE rse_id=@id AND scope=@scope AND name IN @chunk",
                            new { id = rse.Id, scope = group.Key, chunk }, tx))
                        present.Add((group.Key, name));
            var fresh = files.Where(f => !present.Contains((f.Scope, f.Name))).ToList();
            await BulkInsert.RunAsync(c, tx, "replicas", ["scope", "name", "rse_id", "state", "bytes", "path", "tombstone", "lock_cnt", "created_at", "updated_at"],
                fresh.Select(f => new object?[] { f.Scope, f.Name, rse.Id, f.State, f.Bytes!.Value, Lfn2Pfn.Hash(f.Scope, f.Name), null, 0L, now, now }));
            inserted = fresh.Select(f => (f.Scope, f.Name));
        }
        // Only files that existed before can have locks waiting for this replica or stuck elsewhere.
        var added = inserted.ToHashSet();
        foreach (var f in files.Where(f => f.State == ReplicaState.Available && existed.Contains((f.Scope, f.Name)) && added.Contains((f.Scope, f.Name))))
            await RuleReconciler.OnReplicaAvailable(c, tx, f.Scope, f.Name, rse.Id, now);
        return 0;
    });

    /// <summary>State changes (PUT /replicas). Checksums learnt at upload fill the file DID where it has none.</summary>
    public Task UpdateStatesAsync(string rseName, IReadOnlyList<ReplicaFileSpec> files) => db.WriteAsync(async (c, tx) =>
    {
        var rse = await RseCatalog.Get(c, tx, rseName);
        var now = clock.GetUtcNow();
        foreach (var f in files)
        {
            ValidateChecksums(f);
            var n = await c.ExecuteAsync("UPDATE replicas SET state=@State, updated_at=@now WHERE scope=@Scope AND name=@Name AND rse_id=@id",
                new { f.State, now, f.Scope, f.Name, id = rse.Id }, tx);
            if (n == 0) throw FerryException.NotFound("ReplicaNotFound", $"No replica of '{f.Scope}:{f.Name}' on {rseName}");
            await c.ExecuteAsync("""
                UPDATE dids SET adler32=COALESCE(adler32, @a), md5=COALESCE(md5, @m), guid=COALESCE(guid, @g), updated_at=@now
                WHERE scope=@Scope AND name=@Name
                """, new { a = f.Adler32?.ToLowerInvariant(), m = f.Md5?.ToLowerInvariant(), g = f.Guid, now, f.Scope, f.Name }, tx);
            if (f.State == ReplicaState.Available) await RuleReconciler.OnReplicaAvailable(c, tx, f.Scope, f.Name, rse.Id, now);
        }
        return 0;
    });

    /// <summary>Removes replica rows (admin). Bytes on storage are the reaper's business: the rows get a tombstone instead when locked.</summary>
    public Task DeleteAsync(string rseName, IReadOnlyList<(string Scope, string Name)> files) => db.WriteAsync(async (c, tx) =>
    {
        var rse = await RseCatalog.Get(c, tx, rseName);
        foreach (var (scope, name) in files)
        {
            var locks = await c.ExecuteScalarAsync<long?>("SELECT lock_cnt FROM replicas WHERE scope=@scope AND name=@name AND rse_id=@id", new { scope, name, id = rse.Id }, tx)
                ?? throw FerryException.NotFound("ReplicaNotFound", $"No replica of '{scope}:{name}' on {rseName}");
            if (locks > 0) throw FerryException.Conflict("UnsupportedOperation", $"The replica of '{scope}:{name}' on {rseName} is held by {locks} rule lock(s)");
            await c.ExecuteAsync("UPDATE replicas SET tombstone=@epoch WHERE scope=@scope AND name=@name AND rse_id=@id",
                new { epoch = DateTimeOffset.UnixEpoch, scope, name, id = rse.Id }, tx);
        }
        return 0;
    });

    /// <summary>
    /// Declares replicas BAD. Rules holding them copy them again from a good replica; an unlocked bad replica is deleted
    /// when another replica of the file exists (the last copy of a file is kept, marked BAD, for a person to look at).
    /// Returns, per RSE, what could not be declared and why.
    /// </summary>
    public Task<Dictionary<string, List<string>>> DeclareBadAsync(IReadOnlyList<(string Scope, string Name, string Rse)> replicas, string reason) => db.WriteAsync(async (c, tx) =>
    {
        var failures = new Dictionary<string, List<string>>();
        var now = clock.GetUtcNow();
        foreach (var (scope, name, rseName) in replicas)
        {
            var rse = await c.QuerySingleOrDefaultAsync<Rse>("SELECT * FROM rses WHERE name=@rseName AND deleted=0", new { rseName }, tx);
            var replica = rse is null ? null : await Get(c, tx, scope, name, rse.Id);
            if (rse is null || replica is null)
            {
                (failures.TryGetValue(rseName, out var list) ? list : failures[rseName] = []).Add($"{scope}:{name}: no such replica");
                continue;
            }
            var others = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM replicas WHERE scope=@scope AND name=@name AND rse_id<>@Id AND state=0", new { scope, name, rse.Id }, tx);
            DateTimeOffset? tombstone = replica.LockCnt == 0 && others > 0 ? DateTimeOffset.UnixEpoch : null;
            await c.ExecuteAsync("UPDATE replicas SET state=@bad, tombstone=@tombstone, updated_at=@now WHERE scope=@scope AND name=@name AND rse_id=@Id",
                new { bad = ReplicaState.Bad, tombstone, now, scope, name, rse.Id }, tx);
            await c.ExecuteAsync("UPDATE rules SET needs_eval=1, error=@why WHERE id IN (SELECT rule_id FROM locks WHERE scope=@scope AND name=@name AND rse_id=@Id)",
                new { why = $"replica of {scope}:{name} on {rseName} declared bad: {reason}", scope, name, rse.Id }, tx);
        }
        return failures;
    });

    public Task<ReplicaView?> FindAsync(string scope, string name, string rseId) => db.ReadAsync(async c =>
        (await c.QueryAsync<ReplicaView>($"{ViewSelect} WHERE r.scope=@scope AND r.name=@name AND r.rse_id=@rseId", new { scope, name, rseId })).FirstOrDefault());

    private const string ViewSelect = """
        SELECT r.scope, r.name, r.rse_id, s.name AS rse, r.state, r.bytes, r.path, s.rse_type, s.availability_read, s.volatile
        FROM replicas r JOIN rses s ON s.id=r.rse_id
        """;

    /// <summary>The whole of <see cref="StreamAsync"/> in memory, for callers that need every file before they start.</summary>
    public async Task<IReadOnlyList<FileReplicas>> ListAsync(IReadOnlyList<(string Scope, string Name)> requested, bool allStates,
        IReadOnlySet<string>? rseIds, bool withParents, bool readableOnly = false, bool skipUnknown = false, bool resolveArchives = false)
    {
        var all = new List<FileReplicas>();
        await foreach (var f in StreamAsync(requested, new ReplicaFilter(allStates, rseIds, readableOnly, resolveArchives, withParents), skipUnknown)) all.Add(f);
        return all;
    }

    /// <summary>For each file, the replicas of the archives that hold it, keyed by the file.</summary>
    private static async Task<ILookup<(string, string), ReplicaView>> ArchiveReplicas(DbConnection c, IReadOnlyList<(string Scope, string Name)> files)
    {
        var holders = await FetchAll(c, files, (scope, chunk) => c.QueryAsync<(string Scope, string Name, string ChildScope, string ChildName)>(
            "SELECT scope, name, child_scope, child_name FROM archive_contents WHERE child_scope=@scope AND child_name IN @chunk", new { scope, chunk }));
        if (holders.Count == 0) return Array.Empty<ReplicaView>().ToLookup(r => (r.Scope, r.Name));
        var replicas = (await FetchAll(c, holders.Select(h => (h.Scope, h.Name)).Distinct(), (scope, chunk) =>
                c.QueryAsync<ReplicaView>($"{ViewSelect} WHERE r.scope=@scope AND r.name IN @chunk ORDER BY s.name", new { scope, chunk })))
            .ToLookup(r => (r.Scope, r.Name));
        return holders.SelectMany(h => replicas[(h.Scope, h.Name)].Select(r => (Key: (h.ChildScope, h.ChildName), Replica: r)))
            .ToLookup(x => x.Key, x => x.Replica);
    }

    private static async Task<List<T>> FetchAll<T>(DbConnection c, IEnumerable<(string Scope, string Name)> keys, Func<string, string[], Task<IEnumerable<T>>> query)
    {
        var rows = new List<T>();
        foreach (var group in keys.GroupBy(k => k.Scope))
            foreach (var chunk in group.Select(k => k.Name).Distinct().Chunk(1000))
                rows.AddRange(await query(group.Key, chunk));
        return rows;
    }


    /// <summary>
    /// Per RSE, how much of a dataset's content it holds AVAILABLE, against the dataset's whole content (Rucio's
    /// dataset replicas, computed from the file replicas as its deep form does).
    /// </summary>
    public Task<IReadOnlyList<DatasetReplica>> DatasetReplicasAsync(string scope, string name) => db.ReadAsync<IReadOnlyList<DatasetReplica>>(async c =>
    {
        _ = await DidCatalog.Find(c, null, scope, name) ?? throw FerryException.DidNotFound(scope, name);
        var (bytes, length) = await c.QuerySingleAsync<(long, long)>("""
            SELECT COALESCE(SUM(d.bytes),0), COUNT(*) FROM contents ct JOIN dids d ON d.scope=ct.child_scope AND d.name=ct.child_name
            WHERE ct.scope=@scope AND ct.name=@name AND ct.child_type=@file
            """, new { scope, name, file = DidType.File });
        return (await c.QueryAsync<DatasetReplica>("""
            SELECT s.name AS rse, r.rse_id, SUM(r.bytes) AS available_bytes, COUNT(*) AS available_length,
                   MIN(r.created_at) AS created_at, MAX(r.updated_at) AS updated_at
            FROM contents ct JOIN replicas r ON r.scope=ct.child_scope AND r.name=ct.child_name JOIN rses s ON s.id=r.rse_id
            WHERE ct.scope=@scope AND ct.name=@name AND r.state=@available AND s.deleted=0
            GROUP BY r.rse_id, s.name ORDER BY s.name
            """, new { scope, name, available = ReplicaState.Available })).Select(x => x with { Bytes = bytes, Length = length }).ToList();
    });

    internal static void ValidateChecksums(ReplicaFileSpec f)
    {
        if (f.Adler32 is { } a && (a.Length != 8 || !a.All(char.IsAsciiHexDigit)))
            throw FerryException.Invalid($"'{f.Scope}:{f.Name}': adler32 must be exactly 8 hex digits, got '{a}'");
        if (f.Md5 is { } m && (m.Length != 32 || !m.All(char.IsAsciiHexDigit)))
            throw FerryException.Invalid($"'{f.Scope}:{f.Name}': md5 must be exactly 32 hex digits");
    }

    internal static Task<Replica?> Get(DbConnection c, DbTransaction? tx, string scope, string name, string rseId) =>
        c.QuerySingleOrDefaultAsync<Replica>("SELECT * FROM replicas WHERE scope=@scope AND name=@name AND rse_id=@rseId", new { scope, name, rseId }, tx);
}
