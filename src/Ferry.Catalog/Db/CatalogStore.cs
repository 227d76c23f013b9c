using Ferry.Catalog.Db.Postgres;

namespace Ferry.Catalog.Db;

/// <summary>
/// Chooses the catalogue: FERRY_DATABASE (a postgres:// URL or Npgsql key=value string), else the "database" entry of
/// FERRY_HOME/server-config.json, else the embedded SQLite file FERRY_HOME/catalog.db.
/// </summary>
public static class CatalogStore
{
    public const string ConfigFile = "server-config.json";

    public static string? Location(string home, Func<string, string?> env)
    {
        if (env("FERRY_DATABASE") is { Length: > 0 } fromEnv) return fromEnv;
        var config = Path.Combine(home, ConfigFile);
        if (!File.Exists(config)) return null;
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(config));
        return doc.RootElement.TryGetProperty("database", out var d) && d.GetString() is { Length: > 0 } s ? s : null;
    }

    public static ICatalogDatabase Open(string home, Func<string, string?> env, Random random, bool migrate = true) =>
        OpenLocation(Location(home, env), home, random, migrate);

    public static ICatalogDatabase OpenLocation(string? location, string home, Random random, bool migrate = true)
    {
        if (location is null || location.Equals("sqlite", StringComparison.OrdinalIgnoreCase)) return new SqliteCatalogDatabase(Path.Combine(home, "catalog.db"), migrate);
        if (PostgresUrl.IsPostgres(location)) return new PostgresCatalogDatabase(location, random, migrate);
        if (location.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase)) return new SqliteCatalogDatabase(location["sqlite:".Length..], migrate);
        throw new ArgumentException($"FERRY_DATABASE '{PostgresUrl.Redact(location)}' is neither a postgres:// URL, a Host=… connection string nor sqlite:PATH");
    }

    /// <summary>Where the catalogue is, for logs (no password).</summary>
    public static string Describe(ICatalogDatabase db) => db switch
    {
        PostgresCatalogDatabase pg => pg.Display,
        SqliteCatalogDatabase s => "sqlite:" + s.Path,
        _ => db.GetType().Name,
    };
}
