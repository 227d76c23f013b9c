using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db.Postgres;
using Ferry.Core.Model;
using Npgsql;

namespace Ferry.Catalog.Dids;

/// <summary>
/// Attaching to a dataset or container on PostgreSQL in one round trip: the children travel as two arrays and one batch
/// reads them with whether each is attached already, inserts the new attachments, adds them to the collection's
/// length and bytes, and flags the rules on the collection and above it for evaluation. The checks
/// (<see cref="DidCatalog.CheckAttach"/>, the embedded store's too) run on what the batch read, in request order; a
/// refusal rolls the whole transaction back. The insert takes only children that exist and skips those attached
/// already, so no statement of the batch fails on what the checks refuse.
/// </summary>
internal static class PostgresAttach
{
    private const string Children = "(SELECT DISTINCT * FROM unnest(@s::text[], @n::text[])) AS f(scope, name)";

    private const string Batch = $"""
        SELECT d.*, EXISTS (SELECT 1 FROM contents ct WHERE ct.scope=@ps AND ct.name=@pn AND ct.child_scope=d.scope AND ct.child_name=d.name) AS attached_already
            FROM {Children} JOIN dids d ON d.scope=f.scope AND d.name=f.name;
        WITH ins AS (
            INSERT INTO contents(scope, name, child_scope, child_name, child_type, created_at)
            SELECT @ps, @pn, d.scope, d.name, d.type, @now FROM {Children} JOIN dids d ON d.scope=f.scope AND d.name=f.name
            ON CONFLICT DO NOTHING RETURNING child_scope, child_name)
        UPDATE dids SET length=COALESCE(length,0)+(SELECT COUNT(*) FROM ins),
            bytes=COALESCE(bytes,0)+(SELECT COALESCE(SUM(d.bytes),0) FROM ins JOIN dids d ON d.scope=ins.child_scope AND d.name=ins.child_name WHERE @dataset),
            updated_at=@now
            WHERE scope=@ps AND name=@pn;
        WITH RECURSIVE up(scope, name) AS (
            SELECT @ps::text, @pn::text
            UNION SELECT c.scope, c.name FROM contents c JOIN up u ON c.child_scope=u.scope AND c.child_name=u.name)
        UPDATE rules SET needs_eval=1 WHERE (scope, name) IN (SELECT scope, name FROM up)
        """;

    public static async Task RunAsync(PgConnection pg, DbTransaction tx, Did parent, IReadOnlyList<ChildSpec> children, bool ignoreDuplicate,
        HashSet<string> ancestors, DateTimeOffset now)
    {
        var command = new NpgsqlCommand(Batch, pg.Inner, (NpgsqlTransaction)tx);
        void Add<T>(string name, T value) => command.Parameters.Add(new NpgsqlParameter<T>(name, value));
        Add("s", children.Select(x => x.Scope).ToArray());
        Add("n", children.Select(x => x.Name).ToArray());
        Add("ps", parent.Scope);
        Add("pn", parent.Name);
        Add("now", now.ToUnixTimeMilliseconds());
        Add("dataset", parent.Type == DidType.Dataset);
        await using (command)
        await using (var reader = await command.ExecuteReaderAsync())
        {
            var found = new Dictionary<(string, string), Did>();
            var attached = new HashSet<(string, string)>();
            var parse = reader.GetRowParser<Did>();
            var already = reader.GetOrdinal("attached_already");
            while (await reader.ReadAsync())
            {
                var d = parse(reader);
                found[(d.Scope, d.Name)] = d;
                if (reader.GetBoolean(already)) attached.Add((d.Scope, d.Name));
            }
            DidCatalog.CheckAttach(parent, children, found, attached, ignoreDuplicate, ancestors);
            while (await reader.NextResultAsync()) { }
        }
    }
}
