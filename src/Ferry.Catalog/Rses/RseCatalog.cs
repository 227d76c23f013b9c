using System.Data.Common;
using Dapper;
using Ferry.Catalog.Db;
using Ferry.Core.Errors;
using Ferry.Core.Expressions;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;

namespace Ferry.Catalog.Rses;

/// <summary>Settable RSE properties; null means "leave as is".</summary>
public sealed record RseSettings(
    string? RseType = null, bool? Deterministic = null, bool? Volatile = null, bool? StagingArea = null,
    bool? AvailabilityRead = null, bool? AvailabilityWrite = null, bool? AvailabilityDelete = null,
    IReadOnlyDictionary<string, object?>? Location = null)
{
    /// <summary>The descriptive columns (wire name to column): free text, or numbers for the coordinates.</summary>
    public static readonly IReadOnlyDictionary<string, string> LocationColumns = new Dictionary<string, string>
    {
        ["city"] = "city", ["region_code"] = "region_code", ["country_name"] = "country_name", ["continent"] = "continent",
        ["time_zone"] = "time_zone", ["ISP"] = "isp", ["ASN"] = "asn", ["longitude"] = "longitude", ["latitude"] = "latitude",
        ["qos_class"] = "qos_class",
    };
}

public sealed record RseDistance
{
    public required string SrcRseId { get; init; }
    public required string DestRseId { get; init; }
    public required string SrcRse { get; init; }
    public required string DestRse { get; init; }
    public int Distance { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
public sealed record RseUsage(string RseId, string Rse, long Used, long Files);

public sealed partial class RseCatalog(ICatalogDatabase db, TimeProvider clock)
{
    public Task<Rse> AddAsync(string name, RseSettings settings) => db.WriteAsync(async (c, tx) =>
    {
        Names.Rse(name);
        if (settings.RseType is not (null or "DISK" or "TAPE")) throw FerryException.Invalid($"rse_type must be DISK or TAPE, not '{settings.RseType}'");
        if (await FindId(c, tx, name) is not null) throw FerryException.Conflict("Duplicate", $"RSE '{name}' already exists");
        var now = clock.GetUtcNow();
        var rse = new Rse
        {
            Id = Guid.NewGuid().ToString("N"), Name = name, RseType = settings.RseType ?? "DISK",
            Deterministic = settings.Deterministic ?? true, Volatile = settings.Volatile ?? false, StagingArea = settings.StagingArea ?? false,
            AvailabilityRead = settings.AvailabilityRead ?? true, AvailabilityWrite = settings.AvailabilityWrite ?? true,
            AvailabilityDelete = settings.AvailabilityDelete ?? true, CreatedAt = now, UpdatedAt = now,
        };
        await c.ExecuteAsync("""
            INSERT INTO rses(id,name,rse_type,deterministic,volatile,staging_area,availability_read,availability_write,availability_delete,created_at,updated_at)
            VALUES (@Id,@Name,@RseType,@Deterministic,@Volatile,@StagingArea,@AvailabilityRead,@AvailabilityWrite,@AvailabilityDelete,@CreatedAt,@UpdatedAt)
            """, rse, tx);
        // Rucio gives every RSE an attribute named after itself, which is how a bare name selects it in expressions.
        await c.ExecuteAsync("INSERT INTO rse_attrs(rse_id,key,value) VALUES (@Id,@Name,'true')", rse, tx);
        await SetLocation(c, tx, rse.Id, settings.Location);
        return rse;
    });

    public Task UpdateAsync(string name, RseSettings s) => db.WriteAsync(async (c, tx) =>
    {
        var rse = await Get(c, tx, name);
        if (s.RseType is not (null or "DISK" or "TAPE")) throw FerryException.Invalid($"rse_type must be DISK or TAPE, not '{s.RseType}'");
        var updated = rse with
        {
            RseType = s.RseType ?? rse.RseType, Deterministic = s.Deterministic ?? rse.Deterministic, Volatile = s.Volatile ?? rse.Volatile,
            StagingArea = s.StagingArea ?? rse.StagingArea, AvailabilityRead = s.AvailabilityRead ?? rse.AvailabilityRead,
            AvailabilityWrite = s.AvailabilityWrite ?? rse.AvailabilityWrite, AvailabilityDelete = s.AvailabilityDelete ?? rse.AvailabilityDelete,
            UpdatedAt = clock.GetUtcNow(),
        };
        return await c.ExecuteAsync("""
            UPDATE rses SET rse_type=@RseType, deterministic=@Deterministic, volatile=@Volatile, staging_area=@StagingArea,
            availability_read=@AvailabilityRead, availability_write=@AvailabilityWrite, availability_delete=@AvailabilityDelete, updated_at=@UpdatedAt
            WHERE id=@Id
            """, updated, tx) + await SetLocation(c, tx, rse.Id, s.Location);
    });

    private static async Task<int> SetLocation(DbConnection c, DbTransaction tx, string rseId, IReadOnlyDictionary<string, object?>? location)
    {
        var changed = 0;
        foreach (var (key, value) in location ?? new Dictionary<string, object?>())
        {
            // The column name comes from the fixed table, never from the request.
            var column = RseSettings.LocationColumns[key];
            changed += await c.ExecuteAsync($"UPDATE rses SET {column}=@value WHERE id=@rseId", new { value, rseId }, tx);
        }
        return changed;
    }

    public Task DeleteAsync(string name) => db.WriteAsync(async (c, tx) =>
    {
        var rse = await Get(c, tx, name);
        var replicas = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM replicas WHERE rse_id=@Id", rse, tx);
        if (replicas > 0)
            throw FerryException.Conflict("RSEOperationNotSupported", $"RSE '{name}' still holds {replicas} replica(s); remove them before deleting the RSE");
        return await c.ExecuteAsync("UPDATE rses SET deleted=1, deleted_at=@now, updated_at=@now WHERE id=@Id", new { rse.Id, now = clock.GetUtcNow() }, tx);
    });

    public async Task<Rse> GetAsync(string name) => await db.ReadAsync(c => Get(c, null, name));

    public Task<Rse?> FindByIdAsync(string id) =>
        db.ReadAsync(c => c.QuerySingleOrDefaultAsync<Rse>("SELECT * FROM rses WHERE id=@id", new { id }));

    public Task<IReadOnlyList<Rse>> ListAsync() => db.ReadPreparedAsync<Rse>("SELECT * FROM rses WHERE deleted=0 ORDER BY name");

    /// <summary>Every live RSE as an expression sees it.</summary>
    public Task<IReadOnlyList<RseFacts>> FactsAsync() => db.ReadAsync(c => Facts(c, null));

    internal static async Task<IReadOnlyList<RseFacts>> Facts(DbConnection c, DbTransaction? tx)
    {
        var rses = (await c.QueryAsync<Rse>("SELECT * FROM rses WHERE deleted=0", transaction: tx)).AsList();
        var attrs = (await c.QueryAsync<(string RseId, string Key, string Value)>(
            "SELECT a.rse_id, a.key, a.value FROM rse_attrs a JOIN rses r ON r.id=a.rse_id WHERE r.deleted=0", transaction: tx))
            .GroupBy(a => a.RseId).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, string>)g.ToDictionary(a => a.Key, a => a.Value));
        return rses.Select(r => new RseFacts(r.Name, attrs.GetValueOrDefault(r.Id) ?? new Dictionary<string, string>(), Properties(r))).ToList();
    }

    private static Dictionary<string, string?> Properties(Rse r)
    {
        var p = new Dictionary<string, string?>
        {
            ["id"] = r.Id, ["rse"] = r.Name, ["rse_type"] = r.RseType, ["deterministic"] = Bool(r.Deterministic), ["volatile"] = Bool(r.Volatile),
            ["staging_area"] = Bool(r.StagingArea), ["availability_read"] = Bool(r.AvailabilityRead),
            ["availability_write"] = Bool(r.AvailabilityWrite), ["availability_delete"] = Bool(r.AvailabilityDelete), ["deleted"] = "false",
            ["availability"] = r.Availability.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        // Rucio copies these settings into the RSE's attributes whenever they are set, so expressions select on them
        // (country_name=CH); set ones are matched here, unset ones leave an attribute of the name to answer.
        foreach (var (key, value) in new[] { ("continent", r.Continent), ("city", r.City), ("region_code", r.RegionCode),
                     ("country_name", r.CountryName), ("time_zone", r.TimeZone), ("ISP", r.Isp), ("ASN", r.Asn) })
            if (value is not null) p[key] = value;
        return p;
    }

    private static string Bool(bool b) => b ? "true" : "false";

    public async Task<IReadOnlyList<string>> EvaluateAsync(string expression) => RseExpression.Parse(expression).Evaluate(await FactsAsync());

    public Task<IReadOnlyDictionary<string, string>> AttributesAsync(string name) => db.ReadAsync<IReadOnlyDictionary<string, string>>(async c =>
    {
        var rse = await Get(c, null, name);
        return (await c.QueryAsync<(string Key, string Value)>("SELECT key, value FROM rse_attrs WHERE rse_id=@Id ORDER BY key", rse))
            .ToDictionary(a => a.Key, a => a.Value);
    });

    /// <summary>Throws a 400 unless the key is 1-255 letters, digits, '.', '_', '-' and the value at most 255 characters.</summary>
    public static void ValidateAttribute(string key, string value)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 255 || !key.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-'))
            throw FerryException.Invalid($"Invalid RSE attribute key '{Names.Printable(key)}': letters, digits, '.', '_', '-'");
        if (value.Length > 255) throw FerryException.Invalid("RSE attribute values are at most 255 characters");
    }

    public Task SetAttributeAsync(string name, string key, string value) => db.WriteAsync(async (c, tx) =>
    {
        ValidateAttribute(key, value);
        var rse = await Get(c, tx, name);
        if (key == Transfers.StagingCatalog.Attribute) await CheckStagingBuffer(c, tx, rse, value);
        return await c.ExecuteAsync("INSERT INTO rse_attrs(rse_id,key,value) VALUES (@id,@key,@value) ON CONFLICT(rse_id,key) DO UPDATE SET value=excluded.value",
            new { id = rse.Id, key, value = RseExpression.NormaliseAttributeValue(value) }, tx);
    });

    /// <summary>A TAPE RSE stages reads through a live DISK RSE; anything else would leave its reads with nowhere to go.</summary>
    private static async Task CheckStagingBuffer(DbConnection c, DbTransaction tx, Rse tape, string value)
    {
        if (tape.RseType != "TAPE")
            throw FerryException.Invalid($"{StagingAttribute}: {tape.Name} is a {tape.RseType} RSE; only TAPE RSEs stage reads through a buffer");
        if (!value.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
            throw FerryException.Invalid($"{StagingAttribute}: '{Names.Printable(value)}' is not an RSE name");
        var buffer = await c.QuerySingleOrDefaultAsync<Rse>("SELECT * FROM rses WHERE name=@value AND deleted=0", new { value }, tx)
            ?? throw FerryException.Invalid($"{StagingAttribute}: there is no RSE '{Names.Printable(value)}' to stage {tape.Name}'s reads through");
        if (buffer.RseType != "DISK")
            throw FerryException.Invalid($"{StagingAttribute}: {buffer.Name} is a {buffer.RseType} RSE; a staging buffer must be a DISK RSE");
    }

    private const string StagingAttribute = Transfers.StagingCatalog.Attribute;

    public Task DeleteAttributeAsync(string name, string key) => db.WriteAsync(async (c, tx) =>
    {
        var rse = await Get(c, tx, name);
        var n = await c.ExecuteAsync("DELETE FROM rse_attrs WHERE rse_id=@id AND key=@key", new { id = rse.Id, key }, tx);
        return n > 0 ? n : throw FerryException.NotFound("RSEAttributeNotFound", $"RSE attribute '{key}' cannot be found");
    });

    public Task<IReadOnlyList<RseProtocol>> ProtocolsAsync(string rseId) => db.ReadAsync<IReadOnlyList<RseProtocol>>(async c =>
        (await c.QueryAsync<RseProtocol>("SELECT * FROM rse_protocols WHERE rse_id=@rseId ORDER BY hostname, scheme, port", new { rseId })).AsList());

    public Task AddProtocolAsync(string name, RseProtocol p) => db.WriteAsync(async (c, tx) =>
    {
        var rse = await Get(c, tx, name);
        var exists = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rse_protocols WHERE rse_id=@id AND scheme=@Scheme AND hostname=@Hostname AND port=@Port",
            new { id = rse.Id, p.Scheme, p.Hostname, p.Port }, tx);
        if (exists > 0) throw FerryException.Conflict("Duplicate", $"RSE '{name}' already has protocol {p.Scheme}://{p.Hostname}:{p.Port}");
        return await c.ExecuteAsync("""
            INSERT INTO rse_protocols(rse_id,scheme,hostname,port,prefix,impl,domains,extended_attributes)
            VALUES (@id,@Scheme,@Hostname,@Port,@Prefix,@Impl,@Domains,@ExtendedAttributes)
            """, new { id = rse.Id, p.Scheme, p.Hostname, p.Port, p.Prefix, p.Impl, p.Domains, p.ExtendedAttributes }, tx);
    });

    public Task DeleteProtocolAsync(string name, string scheme) => db.WriteAsync(async (c, tx) =>
    {
        var rse = await Get(c, tx, name);
        var n = await c.ExecuteAsync("DELETE FROM rse_protocols WHERE rse_id=@id AND scheme=@scheme", new { id = rse.Id, scheme }, tx);
        if (n == 0) throw FerryException.NotFound("RSEProtocolNotSupported", $"RSE '{name}' has no protocol '{scheme}'");
        return n;
    });

    public Task<IReadOnlyList<RseDistance>> DistancesAsync(string src, string dst) => db.ReadAsync<IReadOnlyList<RseDistance>>(async c =>
    {
        var s = await Get(c, null, src);
        var d = await Get(c, null, dst);
        return (await c.QueryAsync<RseDistance>("""
            SELECT src_rse_id, dest_rse_id, @src AS src_rse, @dst AS dest_rse, distance, created_at, updated_at
            FROM distances WHERE src_rse_id=@sid AND dest_rse_id=@did
            """, new { src, dst, sid = s.Id, did = d.Id })).AsList();
    });

    public Task SetDistanceAsync(string src, string dst, int distance, bool bidirectional, bool mustBeNew) => db.WriteAsync(async (c, tx) =>
    {
        if (distance < 0) throw FerryException.Invalid("Distance must not be negative");
        var s = await Get(c, tx, src);
        var d = await Get(c, tx, dst);
        var now = clock.GetUtcNow();
        foreach (var (a, b) in bidirectional ? new[] { (s.Id, d.Id), (d.Id, s.Id) } : [(s.Id, d.Id)])
        {
            if (mustBeNew && await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM distances WHERE src_rse_id=@a AND dest_rse_id=@b", new { a, b }, tx) > 0)
                throw FerryException.Conflict("Duplicate", a == s.Id ? $"Distance from {src} to {dst} already exists!" : $"Distance from {dst} to {src} already exists!");
            await c.ExecuteAsync("""
                INSERT INTO distances(src_rse_id,dest_rse_id,distance,created_at,updated_at) VALUES (@a,@b,@distance,@now,@now)
                ON CONFLICT(src_rse_id,dest_rse_id) DO UPDATE SET distance=excluded.distance, updated_at=excluded.updated_at
                """, new { a, b, distance, now }, tx);
        }
        return 0;
    });

    public Task<RseUsage> UsageAsync(string name) => db.ReadAsync(async c =>
    {
        var rse = await Get(c, null, name);
        var (used, files) = await c.QuerySingleAsync<(long, long)>(
            "SELECT COALESCE(SUM(bytes),0), COUNT(*) FROM replicas WHERE rse_id=@Id AND state IN (0, 4)", rse);
        return new RseUsage(rse.Id, rse.Name, used, files);
    });

    /// <summary>What the storage itself last said about its free space (recorded by the reaper, which talks to storage).</summary>
    public Task RecordFreeSpaceAsync(string rseId, long freeBytes) => db.WriteAsync((c, tx) => c.ExecuteAsync("""
        INSERT INTO rse_free_space(rse_id, free_bytes, updated_at) VALUES (@rseId, @freeBytes, @now)
        ON CONFLICT(rse_id) DO UPDATE SET free_bytes=excluded.free_bytes, updated_at=excluded.updated_at
        """, new { rseId, freeBytes, now = clock.GetUtcNow() }, tx));

    public Task<(long FreeBytes, DateTimeOffset UpdatedAt)?> FreeSpaceAsync(string rseId) => db.ReadAsync<(long, DateTimeOffset)?>(async c =>
        (await c.QueryAsync<(long, DateTimeOffset)>("SELECT free_bytes, updated_at FROM rse_free_space WHERE rse_id=@rseId", new { rseId })).Cast<(long, DateTimeOffset)?>().FirstOrDefault());

    /// <summary>RSE limits such as MinFreeSpace (bytes the reaper keeps free when the RSE is not greedy).</summary>
    public Task<IReadOnlyDictionary<string, long>> LimitsAsync(string rseId) => db.ReadAsync<IReadOnlyDictionary<string, long>>(async c =>
        (await c.QueryAsync<(string Name, long Value)>("SELECT name, value FROM rse_limits WHERE rse_id=@rseId ORDER BY name", new { rseId }))
            .ToDictionary(x => x.Name, x => x.Value));

    public Task SetLimitAsync(string rse, string name, long value) => db.WriteAsync(async (c, tx) =>
    {
        // Any name may be kept, as in Rucio (sites keep their own); MinFreeSpace and MaxBeingDeletedFiles are the ones Ferry acts on.
        if (name.Length is 0 or > 255 || name.Any(char.IsControl)) throw FerryException.Invalid("An RSE limit's name is 1-255 printable characters");
        if (value < 0) throw FerryException.Invalid($"RSE limit {name} must not be negative");
        var r = await Get(c, tx, rse);
        return await c.ExecuteAsync("INSERT INTO rse_limits(rse_id,name,value) VALUES (@Id,@name,@value) ON CONFLICT(rse_id,name) DO UPDATE SET value=excluded.value",
            new { r.Id, name, value }, tx);
    });

    public Task DeleteLimitAsync(string rse, string name) => db.WriteAsync(async (c, tx) =>
    {
        var r = await Get(c, tx, rse);
        return await c.ExecuteAsync("DELETE FROM rse_limits WHERE rse_id=@Id AND name=@name", new { r.Id, name }, tx);
    });

    internal static async Task<Rse> Get(DbConnection c, DbTransaction? tx, string name) =>
        await c.QuerySingleOrDefaultAsync<Rse>("SELECT * FROM rses WHERE name=@name AND deleted=0", new { name }, tx)
        ?? throw FerryException.RseNotFound(name);

    private static Task<string?> FindId(DbConnection c, DbTransaction tx, string name) =>
        c.QuerySingleOrDefaultAsync<string?>("SELECT id FROM rses WHERE name=@name AND deleted=0", new { name }, tx);
}
