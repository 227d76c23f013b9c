using Dapper;
using Ferry.Catalog.Db;
using Ferry.Core.Errors;

namespace Ferry.Catalog.Config;

/// <summary>One option of the server configuration as stored: the value is text, as Rucio keeps it.</summary>
public sealed record ConfigOption(string Section, string Option, string Value);

/// <summary>
/// The server configuration Rucio's clients read and write through /config: sections of options, each a text value.
/// A section exists while it has an option (as in Rucio, where a section is only the options that name it).
/// </summary>
public sealed class ConfigCatalog(ICatalogDatabase db, TimeProvider clock)
{
    // Rucio's columns are 128 characters for section and option and 4000 for the value; longer text is refused, not cut.
    public const int MaxNameLength = 128;
    public const int MaxValueLength = 4000;

    private sealed record Row(string Section, string Opt, string Value);

    // Two statements rather than "@section IS NULL OR ...": PostgreSQL cannot type a parameter that is only ever null.
    public Task<IReadOnlyList<ConfigOption>> ListAsync(string? section = null) => db.ReadAsync<IReadOnlyList<ConfigOption>>(async c =>
        (await (section is null
            ? c.QueryAsync<Row>("SELECT section, opt, value FROM config ORDER BY section, opt")
            : c.QueryAsync<Row>("SELECT section, opt, value FROM config WHERE section=@section ORDER BY opt", new { section })))
        .Select(r => new ConfigOption(r.Section, r.Opt, r.Value)).ToList());

    public Task<string?> GetAsync(string section, string option) => db.ReadAsync(c =>
        c.QuerySingleOrDefaultAsync<string?>("SELECT value FROM config WHERE section=@section AND opt=@option", new { section, option }));

    /// <summary>Sets every option given, or none: the whole request is checked before anything is written.</summary>
    public Task SetAsync(IReadOnlyList<ConfigOption> options)
    {
        foreach (var o in options) Check(o);
        return db.WriteAsync(async (c, tx) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var o in options)
                await c.ExecuteAsync("""
                    INSERT INTO config(section, opt, value, created_at, updated_at) VALUES (@Section, @Option, @Value, @now, @now)
                    ON CONFLICT(section, opt) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at
                    """, new { o.Section, o.Option, o.Value, now }, tx);
            return 0;
        });
    }

    /// <summary>Removes a whole section; false when it had no option.</summary>
    public Task<bool> RemoveSectionAsync(string section) => db.WriteAsync(async (c, tx) =>
        await c.ExecuteAsync("DELETE FROM config WHERE section=@section", new { section }, tx) > 0);

    /// <summary>Removes one option; false when it was not set.</summary>
    public Task<bool> RemoveOptionAsync(string section, string option) => db.WriteAsync(async (c, tx) =>
        await c.ExecuteAsync("DELETE FROM config WHERE section=@section AND opt=@option", new { section, option }, tx) > 0);

    private static void Check(ConfigOption o)
    {
        if (o.Section.Length is 0 or > MaxNameLength || o.Option.Length is 0 or > MaxNameLength)
            throw new FerryException("ConfigurationError", 400,
                $"Section and option names take 1 to {MaxNameLength} characters (section '{o.Section}' option '{o.Option}')");
        if (o.Value.Length > MaxValueLength)
            throw new FerryException("ConfigurationError", 400,
                $"The value for section '{o.Section}' option '{o.Option}' has {o.Value.Length} characters; at most {MaxValueLength} are kept");
    }
}
