using System.CommandLine;
using System.Text.Json;
using Ferry.Catalog.Db;
using Ferry.Catalog.Db.Postgres;
using Ferry.Client.Settings;
using Ferry.Core.Configuration;

namespace Ferry.Cli.Commands;

/// <summary>
/// `ferry db`: the catalogue's schema and moving it. These commands open the catalogue directly (FERRY_DATABASE, or
/// the embedded file in FERRY_HOME), not through a server.
/// </summary>
internal static class DbCommands
{
    public static Command Build()
    {
        var db = new Command("db", "Catalogue operations: schema status, migration, copying the embedded catalogue into PostgreSQL");
        db.Add(Status());
        db.Add(Migrate());
        db.Add(Copy());
        return db;
    }

    private static FerryEnvironment Env() => FerryEnvironment.Process;

    private static ICatalogDatabase Open(bool migrate)
    {
        var env = Env();
        var home = ClientSettings.FerryHome(env);
        var location = CatalogStore.Location(home, env.Get);
        if (location is null && !migrate && !File.Exists(Path.Combine(home, "catalog.db")))
            throw new UsageException($"no catalogue: {Path.Combine(home, "catalog.db")} does not exist and FERRY_DATABASE is not set");
        try { return CatalogStore.OpenLocation(location, home, CompositionRoot.Random, migrate); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    private static async Task<long> VersionOf(ICatalogDatabase db) => db switch
    {
        PostgresCatalogDatabase pg => (await pg.VersionAsync()).Current,
        SqliteCatalogDatabase s => s.Version(),
        _ => 0,
    };

    private static Command Status()
    {
        var json = Common.JsonOption();
        var cmd = new Command("status", "Where the catalogue is, its schema version and the newest this Ferry knows").With(json);
        cmd.SetAction(async (pr, ct) =>
        {
            var db = Open(migrate: false);
            var current = await VersionOf(db);
            var latest = Migrations.All.Max(m => m.Version);
            var pending = Migrations.All.Count(m => m.Version > current);
            if (pr.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { catalogue = CatalogStore.Describe(db), version = current, latest, pending }));
            else
            {
                Console.WriteLine($"catalogue: {CatalogStore.Describe(db)}");
                Console.WriteLine($"schema version: {current} (this Ferry knows up to {latest}; {pending} migration(s) pending)");
            }
            (db as IDisposable)?.Dispose();
            return 0;
        });
        return cmd;
    }

    private static Command Migrate()
    {
        var cmd = new Command("migrate", "Apply the schema migrations the catalogue lacks (servers and workers also do this when they start)");
        cmd.SetAction(async (pr, ct) =>
        {
            var db = Open(migrate: false);
            IReadOnlyList<int> applied = db switch
            {
                PostgresCatalogDatabase pg => await pg.MigrateAsync(),
                SqliteCatalogDatabase s => s.Migrate(),
                _ => [],
            };
            Console.WriteLine(applied.Count == 0 ? $"{CatalogStore.Describe(db)} is up to date (version {await VersionOf(db)})"
                : $"{CatalogStore.Describe(db)}: applied migration(s) {string.Join(", ", applied)}; now at version {await VersionOf(db)}");
            (db as IDisposable)?.Dispose();
            return 0;
        });
        return cmd;
    }

    private static Command Copy()
    {
        var to = new Option<string>("--to") { Description = "The PostgreSQL catalogue to fill: postgres://user:password@host:port/database[?schema=NAME]", Required = true };
        var cmd = new Command("copy", "Copy the embedded catalogue (FERRY_HOME/catalog.db) into an empty PostgreSQL catalogue; stop the server first").With(to);
        cmd.SetAction(async (pr, ct) =>
        {
            var target = pr.GetValue(to)!;
            if (!PostgresUrl.IsPostgres(target)) throw new UsageException($"--to takes a postgres:// URL or a Host=… connection string, got '{PostgresUrl.Redact(target)}'");
            var home = ClientSettings.FerryHome(Env());
            var file = Path.Combine(home, "catalog.db");
            if (!File.Exists(file)) throw new UsageException($"no embedded catalogue at {file}");
            if (File.Exists(Path.Combine(home, "server.json")))
                Console.Error.WriteLine($"ferry: warning: {Path.Combine(home, "server.json")} exists; if a server still runs on {home}, changes after the copy are lost");
            var source = new SqliteCatalogDatabase(file);
            using var pg = new PostgresCatalogDatabase(target, CompositionRoot.Random);
            IReadOnlyList<CatalogCopy.TableCount> counts;
            try { counts = await CatalogCopy.CopyAsync(source, pg, ct); }
            catch (InvalidOperationException e) { Console.Error.WriteLine($"ferry: {e.Message}"); return 1; }
            foreach (var t in counts.Where(t => t.Rows > 0)) Console.WriteLine($"{t.Table,-24} {t.Rows,12:N0}");
            Console.WriteLine($"copied {counts.Sum(t => t.Rows):N0} rows from {file} into {pg.Display}");
            return 0;
        });
        return cmd;
    }
}
