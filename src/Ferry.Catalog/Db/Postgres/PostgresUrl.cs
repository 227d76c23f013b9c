using Npgsql;

namespace Ferry.Catalog.Db.Postgres;

/// <summary>
/// Reads a catalogue location: a URL (postgres://user:password@host:port/database?schema=NAME&amp;pool=N) or Npgsql's own
/// key=value form ("Host=…;Username=…"). Anything else is an error a person can act on.
/// </summary>
public static class PostgresUrl
{
    public static bool IsPostgres(string? location) =>
        location is not null && (location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || location.Contains("Host=", StringComparison.OrdinalIgnoreCase));

    public static string ToConnectionString(string location)
    {
        if (!location.Contains("://", StringComparison.Ordinal))
        {
            try { return new NpgsqlConnectionStringBuilder(location).ConnectionString; }
            catch (ArgumentException e) { throw new ArgumentException($"'{location}' is not a PostgreSQL connection string: {e.Message}", e); }
        }
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
            throw new ArgumentException($"'{Redact(location)}' is not a postgres://user:password@host:port/database URL");
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port > 0 ? uri.Port : 5432,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "postgres",
            // Catalogue transactions are short; many daemons in one process share the pool.
            MaxPoolSize = 50,
            // The catalogue's big set statements cross PostgreSQL's JIT cost threshold, and compiling them took longer
            // (0.85 s for a 20,000-pair placement here) than running them.
            Options = "-c jit=off",
        };
        if (uri.UserInfo.Split(':', 2) is [var user, ..] && user.Length > 0) b.Username = Uri.UnescapeDataString(user);
        if (uri.UserInfo.Split(':', 2) is [_, var password]) b.Password = Uri.UnescapeDataString(password);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.Split('=', 2) is [var k, var v] ? (k, Uri.UnescapeDataString(v)) : (pair, "");
            switch (key.ToLowerInvariant())
            {
                case "schema": b.SearchPath = value; break;
                case "pool": b.MaxPoolSize = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "sslmode": b.SslMode = Enum.Parse<SslMode>(value, ignoreCase: true); break;
                default: throw new ArgumentException($"unknown option '{key}' in the PostgreSQL URL (known: schema, pool, sslmode)");
            }
        }
        return b.ConnectionString;
    }

    /// <summary>The location with its password replaced, for messages and logs.</summary>
    public static string Redact(string location) =>
        System.Text.RegularExpressions.Regex.Replace(location, @"(://[^:/@]+:)[^@]*@|((?i)password=)[^;]*", m => m.Groups[1].Success ? m.Groups[1].Value + "***@" : m.Groups[2].Value + "***");
}
