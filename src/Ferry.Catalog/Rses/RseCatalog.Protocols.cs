using Dapper;
using Ferry.Core.Errors;
using Ferry.Core.Model;

namespace Ferry.Catalog.Rses;

/// <summary>Protocols addressed one by one (scheme, hostname, port) and distances removed: the dialect's finer protocol and distance calls.</summary>
public sealed partial class RseCatalog
{
    /// <summary>
    /// Deletes the RSE's protocols of <paramref name="scheme"/>, narrowed to a hostname and then a port when given.
    /// A port that is not a number names no protocol.
    /// </summary>
    public Task DeleteProtocolsAsync(string name, string scheme, string? hostname, string? port) => db.WriteAsync(async (c, tx) =>
    {
        var rse = await Get(c, tx, name);
        var sql = "DELETE FROM rse_protocols WHERE rse_id=@id AND scheme=@scheme";
        if (hostname is not null) sql += " AND hostname=@hostname";
        int? portNumber = port is null ? null : int.TryParse(port, out var p) ? p : -1;
        if (portNumber is not null) sql += " AND port=@portNumber";
        var n = await c.ExecuteAsync(sql, new { id = rse.Id, scheme, hostname, portNumber }, tx);
        if (n == 0) throw NoSuchProtocol(name, scheme, hostname, port);
        return n;
    });

    /// <summary>
    /// Replaces one protocol (found by scheme, hostname and port) by what <paramref name="change"/> makes of it, in one
    /// transaction; moving it onto the key of another of the RSE's protocols is a Duplicate.
    /// </summary>
    public Task UpdateProtocolAsync(string name, string scheme, string? hostname, string? port, Func<RseProtocol, RseProtocol> change) => db.WriteAsync(async (c, tx) =>
    {
        var rse = await Get(c, tx, name);
        var old = hostname is null || port is null || !int.TryParse(port, out var portNumber) ? null
            : await c.QuerySingleOrDefaultAsync<RseProtocol>("SELECT * FROM rse_protocols WHERE rse_id=@id AND scheme=@scheme AND hostname=@hostname AND port=@portNumber",
                new { id = rse.Id, scheme, hostname, portNumber }, tx);
        if (old is null) throw NoSuchProtocol(name, scheme, hostname, port);
        var p = change(old);
        if ((p.Scheme, p.Hostname, p.Port) != (old.Scheme, old.Hostname, old.Port)
            && await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rse_protocols WHERE rse_id=@id AND scheme=@Scheme AND hostname=@Hostname AND port=@Port",
                new { id = rse.Id, p.Scheme, p.Hostname, p.Port }, tx) > 0)
            throw FerryException.Conflict("Duplicate", $"Protocol '{p.Scheme}' on port {p.Port} already registered for '{name}' with hostname '{p.Hostname}'");
        return await c.ExecuteAsync("""
            UPDATE rse_protocols SET scheme=@Scheme, hostname=@Hostname, port=@Port, prefix=@Prefix, impl=@Impl, domains=@Domains,
                extended_attributes=@ExtendedAttributes
            WHERE rse_id=@id AND scheme=@oldScheme AND hostname=@oldHostname AND port=@oldPort
            """, new { id = rse.Id, p.Scheme, p.Hostname, p.Port, p.Prefix, p.Impl, p.Domains, p.ExtendedAttributes,
                oldScheme = old.Scheme, oldHostname = old.Hostname, oldPort = old.Port }, tx);
    });

    /// <summary>Removes the distance from <paramref name="src"/> to <paramref name="dst"/> (and back when bidirectional); none is no error.</summary>
    public Task DeleteDistanceAsync(string src, string dst, bool bidirectional) => db.WriteAsync(async (c, tx) =>
    {
        var s = await Get(c, tx, src);
        var d = await Get(c, tx, dst);
        var sql = "DELETE FROM distances WHERE (src_rse_id=@a AND dest_rse_id=@b)" + (bidirectional ? " OR (src_rse_id=@b AND dest_rse_id=@a)" : "");
        return await c.ExecuteAsync(sql, new { a = s.Id, b = d.Id }, tx);
    });

    private static FerryException NoSuchProtocol(string rse, string scheme, string? hostname, string? port) =>
        FerryException.NotFound("RSEProtocolNotSupported",
            $"RSE '{rse}' does not support protocol '{scheme}'" + (hostname is null ? "" : $" for hostname '{hostname}'") + (port is null ? "" : $" on port '{port}'"));
}
