using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db.Postgres;
using Ferry.Catalog.Dids;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Paths;
using Npgsql;

namespace Ferry.Catalog.Replicas;

/// <summary>
/// POST /replicas on PostgreSQL in one round trip: the batch travels as arrays (one parameter per column, not one per
/// value) and four statements run as one batch: the DIDs that exist, the scopes that exist, the new DIDs and the new
/// replicas (an existing DID without md5 that is given one gets it afterwards, one statement each). What the embedded store does in several statements with the
/// checks in between (<see cref="DidCatalog.EnsureFiles"/>) is checked here once the batch has run, in the same
/// order and with the same errors, and a refusal rolls the whole transaction back, so nothing of a refused batch stays.
/// </summary>
/// <remarks>
/// Each round trip is a wait for another process, and on a loaded machine every wait is also a trip through the
/// scheduler: the statement-per-check form took eleven round trips per request, this one five (with the transaction's
/// own). The inserts guard themselves (a DID only in an existing scope, a replica only of an existing DID), so no
/// statement of the batch fails on what the checks refuse: the refusal is always the check's, with its dialect error.
/// </remarks>
internal static class PostgresRegistration
{
    // Every probe of dids, scopes and replicas is a correlated lookup (LATERAL, or a scalar subquery the planner does not
    // turn into a join): as joins, the planner hashed the whole table against the batch once the tables held ~100,000
    // rows, and each request read all of them (100,000 files took 1.4x as long as the statement-per-check form).
    private const string Batch = """
        SELECT d.* FROM unnest(@s::text[], @n::text[]) AS f(scope, name)
            CROSS JOIN LATERAL (SELECT * FROM dids x WHERE x.scope=f.scope AND x.name=f.name) d;
        SELECT scope FROM scopes WHERE scope = ANY(@scopes::text[]);
        INSERT INTO dids(scope, name, type, account, bytes, length, adler32, md5, guid, is_open, created_at, updated_at)
            SELECT f.scope, f.name, 0, @account, f.bytes, 1, f.adler32, f.md5, f.guid, 0, @now, @now
            FROM unnest(@s::text[], @n::text[], @b::bigint[], @a::text[], @m::text[], @g::text[]) AS f(scope, name, bytes, adler32, md5, guid)
            WHERE (SELECT 1 FROM scopes x WHERE x.scope=f.scope) IS NOT NULL
              AND (SELECT 1 FROM dids d WHERE d.scope=f.scope AND d.name=f.name) IS NULL;
        INSERT INTO replicas(scope, name, rse_id, state, bytes, path, tombstone, lock_cnt, created_at, updated_at)
            SELECT f.scope, f.name, @rse, f.state, f.bytes, f.path, NULL, 0, @now, @now
            FROM unnest(@s::text[], @n::text[], @st::bigint[], @b::bigint[], @p::text[]) AS f(scope, name, state, bytes, path)
            WHERE (SELECT 1 FROM dids d WHERE d.scope=f.scope AND d.name=f.name) IS NOT NULL
              AND (SELECT 1 FROM replicas r WHERE r.scope=f.scope AND r.name=f.name AND r.rse_id=@rse) IS NULL
            RETURNING scope, name
        """;

    /// <summary>
    /// Registers the batch (names already validated, no file twice): returns the files whose DID existed before and the
    /// replicas created (a file already on the RSE is left as it is).
    /// </summary>
    public static async Task<(HashSet<(string, string)> Existed, List<(string Scope, string Name)> Inserted)> RunAsync(PgConnection pg, DbTransaction tx,
        string rseId, IReadOnlyList<ReplicaFileSpec> files, IReadOnlyList<DidCatalog.FileSpec> specs, string account, DateTimeOffset now)
    {
        var at = now.ToUnixTimeMilliseconds();
        var command = new NpgsqlCommand(Batch, pg.Inner, (NpgsqlTransaction)tx);
        void Add<T>(string name, T value) => command.Parameters.Add(new NpgsqlParameter<T>(name, value));
        Add("s", files.Select(f => f.Scope).ToArray());
        Add("n", files.Select(f => f.Name).ToArray());
        Add("b", specs.Select(f => f.Bytes).ToArray());
        Add("a", specs.Select(f => f.Adler32).ToArray());
        Add("m", specs.Select(f => f.Md5).ToArray());
        Add("g", specs.Select(f => f.Guid).ToArray());
        Add("st", files.Select(f => (long)f.State).ToArray());
        Add("p", files.Select(f => Lfn2Pfn.Hash(f.Scope, f.Name)).ToArray());
        Add("scopes", files.Select(f => f.Scope).Distinct().ToArray());
        Add("account", account);
        Add("now", at);
        Add("rse", rseId);
        await using (command)
        await using (var reader = await command.ExecuteReaderAsync())
        {
            var existing = new Dictionary<(string, string), Did>();
            var parse = reader.GetRowParser<Did>();
            while (await reader.ReadAsync())
            {
                var d = parse(reader);
                existing[(d.Scope, d.Name)] = d;
            }
            var fresh = DidCatalog.Unknown(specs, existing);
            await reader.NextResultAsync();
            var scopes = new HashSet<string>();
            while (await reader.ReadAsync()) scopes.Add(reader.GetString(0));
            foreach (var scope in fresh.Select(f => f.Scope).Distinct())
                if (!scopes.Contains(scope)) throw FerryException.ScopeNotFound(scope);
            await reader.NextResultAsync();
            await reader.NextResultAsync();
            var inserted = new List<(string, string)>();
            while (await reader.ReadAsync()) inserted.Add((reader.GetString(0), reader.GetString(1)));
            await reader.DisposeAsync();
            // An existing file learns the md5 registered with it when it had none (rare: one statement each, as on SQLite).
            foreach (var f in specs)
                if (existing.TryGetValue((f.Scope, f.Name), out var d) && d.Md5 is null && f.Md5 is not null)
                    await pg.ExecuteAsync("UPDATE dids SET md5=@Md5 WHERE scope=@Scope AND name=@Name", f, tx);
            return (existing.Keys.ToHashSet(), inserted);
        }
    }
}
