using System.Diagnostics;

namespace Ferry.Tests.Shared;

/// <summary>
/// Which catalogue the servers under test use. By default each has its embedded SQLite file; with
/// FERRY_TEST_STORE=postgres each server gets its own fresh schema in the PostgreSQL that the project's
/// scripts/services/postgres.sh starts (FERRY_TEST_DATABASE overrides its URL). If that PostgreSQL cannot be started
/// the servers fail to start, so the tests fail: they never fall back to SQLite silently.
/// </summary>
public static class TestStore
{
    private static readonly Lazy<(string? Url, string? Failure)> Started = new(Start);

    public static bool IsPostgres => string.Equals(Environment.GetEnvironmentVariable("FERRY_TEST_STORE"), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The base URL of the test PostgreSQL (started on first use), or an exception saying why there is none.</summary>
    public static string PostgresUrl => Started.Value.Url ?? throw new InvalidOperationException($"no PostgreSQL for the tests: {Started.Value.Failure}");

    public static string? PostgresFailure => Started.Value.Failure;

    /// <summary>The FERRY_DATABASE for a new server: a schema of its own on PostgreSQL, or null (embedded SQLite).</summary>
    public static string? NewDatabase() => IsPostgres ? NewSchemaUrl() : null;

    public static string NewSchemaUrl() => $"{PostgresUrl}?schema=t_{Guid.NewGuid():N}";

    /// <summary>
    /// Drops a test server's schema once the server is gone, so runs do not leave thousands of schemas behind. Only
    /// schemas this class names (t_ and 32 hex digits) are dropped; anything else, SQLite included, is left alone.
    /// </summary>
    public static async Task DropSchemaAsync(string? database)
    {
        if (database is null || !Ferry.Catalog.Db.Postgres.PostgresUrl.IsPostgres(database)) return;
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(Ferry.Catalog.Db.Postgres.PostgresUrl.ToConnectionString(database)) { Pooling = false };
        if (builder.SearchPath is not { } schema || !System.Text.RegularExpressions.Regex.IsMatch(schema, "^t_[0-9a-f]{32}$")) return;
        builder.SearchPath = null;
        try
        {
            await using var c = new Npgsql.NpgsqlConnection(builder.ConnectionString);
            await c.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", c);
            await cmd.ExecuteNonQueryAsync();
        }
        catch (Npgsql.NpgsqlException) { /* a leftover schema is untidy, not a test failure */ }
    }

    private static (string?, string?) Start()
    {
        if (Environment.GetEnvironmentVariable("FERRY_TEST_DATABASE") is { Length: > 0 } url) return (url, null);
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "Ferry.slnx"))) root = Path.GetDirectoryName(root);
        if (root is null) return (null, "cannot find the repository (Ferry.slnx)");
        var psi = new ProcessStartInfo("bash", [Path.Combine(root, "scripts/services/postgres.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); return (null, "postgres.sh did not finish in 5 minutes"); }
        var line = stdout.Result.Split('\n').LastOrDefault(l => l.StartsWith("FERRY_DATABASE=", StringComparison.Ordinal));
        if (p.ExitCode != 0 || line is null) return (null, $"postgres.sh exited {p.ExitCode}: {stderr.Result.Trim()} {stdout.Result.Trim()}");
        return (line["FERRY_DATABASE=".Length..].Trim(), null);
    }
}

/// <summary>A test that needs PostgreSQL whatever the store of the run: outside CI it skips without one, under CI=true it fails.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") == "true") return;
        if (TestStore.PostgresFailure is { } reason) Skip = $"no PostgreSQL here ({reason}); under CI=true this test runs and fails instead";
    }
}
