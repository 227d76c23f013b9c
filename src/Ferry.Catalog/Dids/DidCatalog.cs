using System.Data.Common;
using System.Text.Json;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Core.Time;

namespace Ferry.Catalog.Dids;

/// <summary>A child in an attach request; checksums, when given, must equal the catalogue's.</summary>
public sealed record ChildSpec(string Scope, string Name, long? Bytes = null, string? Adler32 = null, string? Md5 = null);

public sealed record ContentEntry
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public DidType Type { get; init; }
    public long? Bytes { get; init; }
    public string? Adler32 { get; init; }
    public string? Md5 { get; init; }
}

/// <summary>One collection of an add-did request: what it is, its content and the rules made with it.</summary>
public sealed record CollectionSpec(string Scope, string Name, DidType Type, string Account, long? LifetimeSeconds,
    IReadOnlyDictionary<string, JsonElement>? Meta, IReadOnlyList<ChildSpec> Children, IReadOnlyList<Ferry.Core.Rules.RuleSpec> Rules);

public sealed partial class DidCatalog(ICatalogDatabase db, TimeProvider clock, Random random)
{
    public async Task<Did?> FindAsync(string scope, string name) =>
        (await db.ReadPreparedAsync<Did>("SELECT * FROM dids WHERE scope=@scope AND name=@name", ("scope", scope), ("name", name))).SingleOrDefault();

    public async Task<Did> GetAsync(string scope, string name) => await FindAsync(scope, name) ?? throw FerryException.DidNotFound(scope, name);

    /// <summary>Bytes and length recomputed from the files below a collection (Rucio's dynamic_depth=FILE).</summary>
    public Task<(long Bytes, long Length)> DeepSizeAsync(string scope, string name) => db.ReadAsync(async c =>
    {
        var r = await c.QuerySingleAsync<(long, long)>($"{FilesCte} SELECT COALESCE(SUM(d.bytes),0), COUNT(*) FROM files f JOIN dids d ON d.scope=f.scope AND d.name=f.name",
            new { scope, name });
        return r;
    });

    public Task AddCollectionAsync(string scope, string name, DidType type, string account, long? lifetimeSeconds, IReadOnlyDictionary<string, JsonElement>? meta) =>
        db.WriteAsync(async (c, tx) =>
        {
            await InsertCollection(c, tx, scope, name, type, account, lifetimeSeconds, meta);
            return 0;
        });

    /// <summary>
    /// A collection with its content and its rules in one transaction, as one add-did request: a part refused (a
    /// duplicate rule, a missing child) leaves nothing behind.
    /// </summary>
    public Task AddCollectionAsync(string scope, string name, DidType type, string account, long? lifetimeSeconds, IReadOnlyDictionary<string, JsonElement>? meta,
        IReadOnlyList<ChildSpec> children, IReadOnlyList<Ferry.Core.Rules.RuleSpec> rules) =>
        AddCollectionsAsync([new CollectionSpec(scope, name, type, account, lifetimeSeconds, meta, children, rules)]);

    /// <summary>
    /// Several collections, each with its content and rules, in one transaction (Rucio's bulk add-dids): one refused
    /// (already there, twice in the list, a missing scope) leaves none of the others behind.
    /// </summary>
    public Task AddCollectionsAsync(IReadOnlyList<CollectionSpec> specs) =>
        db.WriteAsync(async (c, tx) =>
        {
            foreach (var s in specs)
            {
                await InsertCollection(c, tx, s.Scope, s.Name, s.Type, s.Account, s.LifetimeSeconds, s.Meta);
                if (s.Children.Count > 0) await Attach(c, tx, s.Scope, s.Name, s.Children, ignoreDuplicate: false);
                foreach (var rule in s.Rules) await Rules.RuleCatalog.Add(c, tx, rule, clock.GetUtcNow(), random);
            }
            return 0;
        });

    private const long MaxLifetime = 1000L * 365 * 86400;

    internal async Task InsertCollection(DbConnection c, DbTransaction tx, string scope, string name, DidType type, string account,
        long? lifetimeSeconds, IReadOnlyDictionary<string, JsonElement>? meta)
    {
        Names.Scope(scope);
        Names.DidName(name);
        if (type == DidType.File) throw FerryException.Conflict("UnsupportedOperation", "Files are created by registering replicas, not with add-did");
        // As the dialect has it: 0 means no lifetime, and a negative one a DID already expired (Rucio's tests make theirs
        // with -1). The bound only keeps the date representable.
        if (lifetimeSeconds is < -MaxLifetime or > MaxLifetime) throw FerryException.Invalid($"Lifetime must be within {MaxLifetime} seconds, got {lifetimeSeconds}");
        if (lifetimeSeconds == 0) lifetimeSeconds = null;
        await RequireScope(c, tx, scope);
        if (await Find(c, tx, scope, name) is not null)
            throw FerryException.Conflict("DataIdentifierAlreadyExists", $"Data identifier '{scope}:{name}' already exists");
        var now = clock.GetUtcNow();
        await c.ExecuteAsync("""
            INSERT INTO dids(scope,name,type,account,bytes,length,is_open,expired_at,created_at,updated_at)
            VALUES (@scope,@name,@type,@account,0,0,1,@expires,@now,@now)
            """, new { scope, name, type, account, expires = lifetimeSeconds is { } l ? now.AddSeconds(l) : (DateTimeOffset?)null, now }, tx);
        if (meta is not null) await SetMeta(c, tx, scope, name, meta);
    }

    /// <summary>Creates FILE DIDs that do not exist yet; an existing one must agree on size and checksums.</summary>
    internal async Task EnsureFile(DbConnection c, DbTransaction tx, string scope, string name, string account, long bytes, string? adler32, string? md5, string? guid)
    {
        Names.Scope(scope);
        Names.DidName(name);
        var existing = await Find(c, tx, scope, name);
        if (existing is null)
        {
            await RequireScope(c, tx, scope);
            var now = clock.GetUtcNow();
            await c.ExecuteAsync("""
                INSERT INTO dids(scope,name,type,account,bytes,length,adler32,md5,guid,is_open,created_at,updated_at)
                VALUES (@scope,@name,@type,@account,@bytes,1,@adler32,@md5,@guid,0,@now,@now)
                """, new { scope, name, type = DidType.File, account, bytes, adler32, md5, guid, now }, tx);
            return;
        }
        if (existing.Type != DidType.File) throw FerryException.Conflict("UnsupportedOperation", $"'{scope}:{name}' is a {existing.Type.Wire()}, not a file");
        CheckConsistency(existing, new ChildSpec(scope, name, bytes, adler32, md5));
        if (existing.Md5 is null && md5 is not null)
            await c.ExecuteAsync("UPDATE dids SET md5=@md5 WHERE scope=@scope AND name=@name", new { md5, scope, name }, tx);
    }

    public Task AttachAsync(string scope, string name, IReadOnlyList<ChildSpec> children, bool ignoreDuplicate = false) =>
        db.WriteAsync(async (c, tx) => { await Attach(c, tx, scope, name, children, ignoreDuplicate); return 0; });

    internal async Task Attach(DbConnection c, DbTransaction tx, string scope, string name, IReadOnlyList<ChildSpec> children, bool ignoreDuplicate)
    {
        var parent = await Find(c, tx, scope, name) ?? throw FerryException.DidNotFound(scope, name);
        if (parent.Type == DidType.File)
        {
            await AddToArchive(c, tx, parent, children, ignoreDuplicate);
            return;
        }
        if (!parent.IsOpen) throw FerryException.Conflict("UnsupportedOperation", $"'{scope}:{name}' is closed: reopen it before attaching");
        var ancestors = parent.Type == DidType.Container ? await Ancestors(c, tx, scope, name) : [];
        var now = clock.GetUtcNow();
        // Set-based: children and existing attachments are read a thousand at a time per scope, new rows inserted in bulk.
        var found = await FindMany(c, tx, children.Select(x => (x.Scope, x.Name)));
        var attached = new HashSet<(string, string)>();
        foreach (var group in children.GroupBy(x => x.Scope))
            foreach (var chunk in group.Select(x => x.Name).Distinct().Chunk(1000))
                foreach (var cn in await c.QueryAsync<string>("SELECT child_name FROM contents WHERE scope=@scope AND name=@name AND child_scope=@cs AND child_name IN @chunk",
                             new { scope, name, cs = group.Key, chunk }, tx))
                    attached.Add((group.Key, cn));
        var added = CheckAttach(parent, children, found, attached, ignoreDuplicate, ancestors);
        await BulkInsert.RunAsync(c, tx, "contents", ["scope", "name", "child_scope", "child_name", "child_type", "created_at"],
            added.Select(child => new object?[] { scope, name, child.Scope, child.Name, child.Type, now }));
        var addedBytes = parent.Type == DidType.Container ? 0 : added.Sum(child => child.Bytes ?? 0);
        await c.ExecuteAsync("UPDATE dids SET length=COALESCE(length,0)+@addedLength, bytes=COALESCE(bytes,0)+@addedBytes, updated_at=@now WHERE scope=@scope AND name=@name",
            new { addedLength = (long)added.Count, addedBytes, now, scope, name }, tx);
        await MarkRulesForEvaluation(c, tx, scope, name);
    }

    public Task DetachAsync(string scope, string name, IReadOnlyList<ChildSpec> children) => db.WriteAsync(async (c, tx) =>
    {
        var parent = await Find(c, tx, scope, name) ?? throw FerryException.DidNotFound(scope, name);
        long removedBytes = 0, removedLength = 0;
        foreach (var spec in children)
        {
            var child = await Find(c, tx, spec.Scope, spec.Name) ?? throw FerryException.DidNotFound(spec.Scope, spec.Name);
            var n = await c.ExecuteAsync("DELETE FROM contents WHERE scope=@scope AND name=@name AND child_scope=@cs AND child_name=@cn",
                new { scope, name, cs = child.Scope, cn = child.Name }, tx);
            if (n == 0) throw FerryException.NotFound("DataIdentifierNotFound", $"'{child.Scope}:{child.Name}' is not attached to '{scope}:{name}'");
            removedLength++;
            if (parent.Type == DidType.Dataset) removedBytes += child.Bytes ?? 0;
        }
        await c.ExecuteAsync("UPDATE dids SET length=length-@removedLength, bytes=bytes-@removedBytes, updated_at=@now WHERE scope=@scope AND name=@name",
            new { removedLength, removedBytes, now = clock.GetUtcNow(), scope, name }, tx);
        await MarkRulesForEvaluation(c, tx, scope, name);
        return 0;
    });

    public Task SetOpenAsync(string scope, string name, bool open) => db.WriteAsync(async (c, tx) =>
    {
        var did = await Find(c, tx, scope, name) ?? throw FerryException.DidNotFound(scope, name);
        if (did.Type == DidType.File) throw FerryException.Conflict("UnsupportedOperation", "Files have no open/closed status");
        return await c.ExecuteAsync("UPDATE dids SET is_open=@open, updated_at=@now WHERE scope=@scope AND name=@name", new { open, now = clock.GetUtcNow(), scope, name }, tx);
    });

    public Task<IReadOnlyList<ContentEntry>> ContentAsync(string scope, string name) => db.ReadAsync<IReadOnlyList<ContentEntry>>(async c =>
    {
        _ = await Find(c, null, scope, name) ?? throw FerryException.DidNotFound(scope, name);
        return (await c.QueryAsync<ContentEntry>("""
            SELECT d.scope, d.name, d.type, d.bytes, d.adler32, d.md5 FROM contents ct JOIN dids d ON d.scope=ct.child_scope AND d.name=ct.child_name
            WHERE ct.scope=@scope AND ct.name=@name ORDER BY d.scope, d.name
            """, new { scope, name })).AsList();
    });

    internal const string FilesCte = """
        WITH RECURSIVE tree(scope, name, type) AS (
            SELECT scope, name, type FROM dids WHERE scope=@scope AND name=@name
            UNION SELECT c.child_scope, c.child_name, c.child_type FROM contents c JOIN tree t ON c.scope=t.scope AND c.name=t.name),
        files AS (SELECT DISTINCT scope, name FROM tree WHERE type=0)
        """;

    /// <summary>Every file below a DID (the DID itself for a file), in name order.</summary>
    public Task<IReadOnlyList<Did>> FilesAsync(string scope, string name) => db.ReadAsync(c => Files(c, null, scope, name));

    internal static async Task<IReadOnlyList<Did>> Files(DbConnection c, DbTransaction? tx, string scope, string name)
    {
        _ = await Find(c, tx, scope, name) ?? throw FerryException.DidNotFound(scope, name);
        return (await c.QueryAsync<Did>($"{FilesCte} SELECT d.* FROM files f JOIN dids d ON d.scope=f.scope AND d.name=f.name ORDER BY d.scope, d.name",
            new { scope, name }, tx)).AsList();
    }

    public Task<IReadOnlyList<Did>> ParentsAsync(string scope, string name) => db.ReadAsync<IReadOnlyList<Did>>(async c =>
        (await c.QueryAsync<Did>("SELECT d.* FROM contents ct JOIN dids d ON d.scope=ct.scope AND d.name=ct.name WHERE ct.child_scope=@scope AND ct.child_name=@name",
            new { scope, name })).AsList());

    /// <summary>All ancestor collections of a DID as scope:name.</summary>
    public Task<HashSet<string>> AncestorsAsync(string scope, string name) => db.ReadAsync(c => Ancestors(c, null, scope, name));

    internal static async Task<HashSet<string>> Ancestors(DbConnection c, DbTransaction? tx, string scope, string name) =>
        (await c.QueryAsync<(string, string)>("""
            WITH RECURSIVE up(scope, name) AS (
                SELECT scope, name FROM contents WHERE child_scope=@scope AND child_name=@name
                UNION SELECT c.scope, c.name FROM contents c JOIN up u ON c.child_scope=u.scope AND c.child_name=u.name)
            SELECT scope, name FROM up
            """, new { scope, name }, tx)).Select(a => $"{a.Item1}:{a.Item2}").ToHashSet();

    /// <summary>DIDs of a scope whose name matches a pattern with * wildcards.</summary>
    /// <summary>
    /// DIDs of the scope whose name matches the wildcard pattern, of the given types; <paramref name="equals"/> adds
    /// Rucio's filters: <c>guid</c> (with or without dashes, any case), <c>created_after</c>/<c>created_before</c>
    /// (Rucio dates), and any other key as metadata equality.
    /// </summary>
    public Task<IReadOnlyList<Did>> SearchAsync(string scope, string pattern, IReadOnlyCollection<DidType> types, int? limit,
        IReadOnlyDictionary<string, string>? equals = null) => db.ReadAsync<IReadOnlyList<Did>>(async c =>
    {
        var like = pattern.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal).Replace('*', '%');
        var typeList = types.Count == 0 ? [DidType.File, DidType.Dataset, DidType.Container] : types.ToArray();
        var sql = new System.Text.StringBuilder("SELECT * FROM dids d WHERE d.scope=@scope AND d.name LIKE @like ESCAPE '\\' AND d.type IN @typeList");
        var args = new DynamicParameters(new { scope, like, typeList = typeList.Select(t => (int)t).ToArray(), limit = limit ?? long.MaxValue });
        var n = 0;
        foreach (var (key, value) in equals ?? new Dictionary<string, string>())
        {
            if (key is "created_after" or "created_before")
            {
                sql.Append(key == "created_after" ? " AND d.created_at>=@after" : " AND d.created_at<=@before");
                args.Add(key == "created_after" ? "after" : "before", RucioTime.Parse(value).ToUnixTimeMilliseconds());
                continue;
            }
            if (key == "guid")
            {
                sql.Append(" AND REPLACE(LOWER(d.guid),'-','')=@guid");
                args.Add("guid", value.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant());
                continue;
            }
            // Metadata values are kept as JSON: a string filter matches the JSON string, a number-like one the number too.
            sql.Append($" AND EXISTS (SELECT 1 FROM did_meta m WHERE m.scope=d.scope AND m.name=d.name AND m.key=@k{n} AND m.value IN (@j{n}, @r{n}))");
            args.Add($"k{n}", key);
            args.Add($"j{n}", JsonSerializer.Serialize(value));
            args.Add($"r{n}", value);
            n++;
        }
        return (await c.QueryAsync<Did>(sql.Append(" ORDER BY d.name LIMIT @limit").ToString(), args)).AsList();
    });

    /// <summary>Rules on this DID and on every collection above it must look again at their file set.</summary>
    internal static async Task MarkRulesForEvaluation(DbConnection c, DbTransaction tx, string scope, string name)
    {
        var dids = (await Ancestors(c, tx, scope, name)).Append($"{scope}:{name}").ToArray();
        await c.ExecuteAsync("UPDATE rules SET needs_eval=1 WHERE scope || ':' || name IN @dids", new { dids }, tx);
    }

    /// <summary>The DIDs among <paramref name="keys"/> that exist, read a thousand at a time per scope.</summary>
    internal static async Task<Dictionary<(string, string), Did>> FindMany(DbConnection c, DbTransaction? tx, IEnumerable<(string Scope, string Name)> keys)
    {
        var found = new Dictionary<(string, string), Did>();
        foreach (var group in keys.GroupBy(k => k.Scope))
            foreach (var chunk in group.Select(k => k.Name).Distinct().Chunk(1000))
                foreach (var d in await c.QueryAsync<Did>("SELECT * FROM dids WHERE scope=@scope AND name IN @chunk", new { scope = group.Key, chunk }, tx))
                    found[(d.Scope, d.Name)] = d;
        return found;
    }

    internal static Task<Did?> Find(DbConnection c, DbTransaction? tx, string scope, string name) =>
        c.QuerySingleOrDefaultAsync<Did>("SELECT * FROM dids WHERE scope=@scope AND name=@name", new { scope, name }, tx);

    private static async Task RequireScope(DbConnection c, DbTransaction tx, string scope)
    {
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scopes WHERE scope=@scope", new { scope }, tx) == 0)
            throw FerryException.ScopeNotFound(scope);
    }

    private static void CheckConsistency(Did existing, ChildSpec spec)
    {
        if (spec.Bytes is { } b && existing.Bytes is { } eb && b != eb)
            throw new FerryException("FileConsistencyMismatch", 412, $"'{spec.Scope}:{spec.Name}' is {eb} bytes in the catalogue, not {b}");
        if (spec.Adler32 is { } a && existing.Adler32 is { } ea && !string.Equals(a, ea, StringComparison.OrdinalIgnoreCase))
            throw new FerryException("FileConsistencyMismatch", 412, $"'{spec.Scope}:{spec.Name}' has adler32 {ea} in the catalogue, not {a}");
        if (spec.Md5 is { } m && existing.Md5 is { } em && !string.Equals(m, em, StringComparison.OrdinalIgnoreCase))
            throw new FerryException("FileConsistencyMismatch", 412, $"'{spec.Scope}:{spec.Name}' has md5 {em} in the catalogue, not {m}");
    }
}
