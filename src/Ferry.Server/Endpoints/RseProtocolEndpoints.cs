using System.Text.Json.Nodes;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Server.Http;
using Ferry.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ferry.Server.Endpoints;

/// <summary>An RSE's protocols: added, listed, updated and deleted by scheme, hostname and port (dialect §6); and distances removed.</summary>
internal static class RseProtocolEndpoints
{
    /// <summary>What an update may set besides the domains (Rucio's protocol columns).</summary>
    private static readonly HashSet<string> Updatable = ["scheme", "hostname", "port", "prefix", "impl", "extended_attributes", "domains"];

    public static void MapRseProtocols(this IEndpointRouteBuilder app)
    {
        app.Map("GET", "/rses/{rse}/protocols", async ctx =>
        {
            var rse = await RseEndpoints.Catalog(ctx).GetAsync(ctx.Route("rse"));
            var protocols = await RseEndpoints.Catalog(ctx).ProtocolsAsync(rse.Id);
            if (protocols.Count == 0) throw FerryException.NotFound("RSEProtocolNotSupported", $"No protocols found for RSE {rse.Name}");
            return RucioResults.Json(protocols.Select(WireFormat.Protocol).ToList());
        }, "ListRseProtocols", "RSEs");

        // As Rucio, the scheme does not narrow the answer: it is the RSE's info with all its protocols.
        app.Map("GET", "/rses/{rse}/protocols/{scheme}", async ctx => RucioResults.Json(await RseEndpoints.RseInfo(ctx, ctx.Route("rse"))), "GetRseProtocolInfo", "RSEs");

        app.Map("POST", "/rses/{rse}/protocols/{scheme}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("add RSE protocols");
            var body = await Wire.ReadObject(ctx);
            // The RSE is looked up first: a missing RSE is the answer whatever else is wrong with the request.
            var rse = await RseEndpoints.Catalog(ctx).GetAsync(ctx.Route("rse"));
            ProtocolDomains.Check(body["domains"]);
            var port = body.OptLong("port") ?? 0;
            var protocol = Checked(new RseProtocol
            {
                Scheme = ctx.Route("scheme"), Hostname = body.OptString("hostname") ?? "localhost", Port = port is < 0 or > 65535 ? -1 : (int)port,
                Prefix = body.OptString("prefix") ?? "", Impl = body.OptString("impl"), Domains = body["domains"]?.ToJsonString(),
                ExtendedAttributes = body["extended_attributes"]?.ToJsonString(),
            });
            await RseEndpoints.Catalog(ctx).AddProtocolAsync(rse.Name, protocol);
            await Wire.Created(ctx);
        }, "AddRseProtocol", "RSEs");

        app.Map("PUT", "/rses/{rse}/protocols/{scheme}", ctx => Update(ctx, null, null), "UpdateRseProtocols", "RSEs");
        app.Map("PUT", "/rses/{rse}/protocols/{scheme}/{hostname}", ctx => Update(ctx, ctx.Route("hostname"), null), "UpdateRseProtocolsOfHost", "RSEs");
        app.Map("PUT", "/rses/{rse}/protocols/{scheme}/{hostname}/{port}", ctx => Update(ctx, ctx.Route("hostname"), ctx.Route("port")), "UpdateRseProtocol", "RSEs");

        app.Map("DELETE", "/rses/{rse}/protocols/{scheme}", ctx => Delete(ctx, null, null), "DeleteRseProtocol", "RSEs");
        app.Map("DELETE", "/rses/{rse}/protocols/{scheme}/{hostname}", ctx => Delete(ctx, ctx.Route("hostname"), null), "DeleteRseProtocolsOfHost", "RSEs");
        app.Map("DELETE", "/rses/{rse}/protocols/{scheme}/{hostname}/{port}", ctx => Delete(ctx, ctx.Route("hostname"), ctx.Route("port")), "DeleteRseProtocolOfPort", "RSEs");

        app.Map("DELETE", "/rses/{src}/distances/{dst}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("delete distances");
            await RseEndpoints.Catalog(ctx).DeleteDistanceAsync(ctx.Route("src"), ctx.Route("dst"), ctx.QueryBool("bidirectional"));
            await Wire.WriteText(ctx, "Deleted", 200);
        }, "DeleteDistance", "RSEs");
    }

    private static async Task Delete(HttpContext ctx, string? hostname, string? port)
    {
        Caller.Of(ctx).RequireAdmin("delete RSE protocols");
        await RseEndpoints.Catalog(ctx).DeleteProtocolsAsync(ctx.Route("rse"), ctx.Route("scheme"), hostname, port);
        await Wire.Ok(ctx);
    }

    /// <summary>
    /// Changes one protocol, named by scheme, hostname and port (without both, no protocol matches, as in Rucio). The body
    /// holds the new values: protocol fields, nested "domains" merged operation by operation, or flat keys like read_lan.
    /// </summary>
    private static async Task Update(HttpContext ctx, string? hostname, string? port)
    {
        Caller.Of(ctx).RequireAdmin("update RSE protocols");
        var body = await Wire.ReadObject(ctx);
        ProtocolDomains.Check(body["domains"]);
        var priorities = new List<(string Domain, string Op, JsonNode? Value)>();
        if (body["domains"] is JsonObject domains)
            foreach (var (domain, ops) in domains)
                foreach (var (op, value) in ops!.AsObject()) priorities.Add((op.StartsWith("third_party_copy", StringComparison.Ordinal) ? "wan" : domain, op, value));
        foreach (var (key, value) in body)
        {
            if (ProtocolDomains.FlatKeys.TryGetValue(key, out var at))
            {
                ProtocolDomains.CheckPriority(at.Domain, at.Op, value);
                priorities.Add((at.Domain, at.Op, value));
            }
            else if (!Updatable.Contains(key)) throw FerryException.Invalid($"Unknown protocol property '{key}'");
        }
        await RseEndpoints.Catalog(ctx).UpdateProtocolAsync(ctx.Route("rse"), ctx.Route("scheme"), hostname, port, old =>
        {
            var shown = ProtocolDomains.Show(old.Domains);
            foreach (var (domain, op, value) in priorities) shown[domain]![op] = value?.DeepClone();
            var newPort = body.ContainsKey("port") ? body.OptLong("port") ?? throw FerryException.Invalid("'port' must not be null") : old.Port;
            return Checked(old with
            {
                Scheme = body.ContainsKey("scheme") ? body.OptString("scheme") ?? "" : old.Scheme,
                Hostname = body.ContainsKey("hostname") ? body.OptString("hostname") ?? "" : old.Hostname,
                Port = newPort is < 0 or > 65535 ? -1 : (int)newPort,
                Prefix = body.ContainsKey("prefix") ? body.OptString("prefix") ?? "" : old.Prefix,
                Impl = body.ContainsKey("impl") ? body.OptString("impl") : old.Impl,
                ExtendedAttributes = body.ContainsKey("extended_attributes") ? body["extended_attributes"]?.ToJsonString() : old.ExtendedAttributes,
                Domains = shown.ToJsonString(),
            });
        });
        await Wire.Ok(ctx);
    }

    /// <summary>
    /// A protocol Ferry can store: a plain scheme, a port in range, an absolute prefix for local storage (nothing may be
    /// written outside it) and an implementation unless Ferry itself knows the scheme (Rucio requires one always).
    /// </summary>
    private static RseProtocol Checked(RseProtocol p)
    {
        if (p.Scheme.Length == 0 || !p.Scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.' or '_'))
            throw FerryException.Invalid($"Invalid scheme '{p.Scheme}'");
        if (p.Hostname.Length == 0) throw FerryException.Invalid("'hostname' must not be empty");
        if (p.Port < 0) throw FerryException.Invalid("Invalid port: it must be from 0 to 65535");
        if (p.Scheme is "file" or "posix" && !Path.IsPathFullyQualified(p.Prefix))
            throw FerryException.Invalid($"A {p.Scheme} protocol needs an absolute prefix, got '{p.Prefix}'");
        if (p.Impl is null && !StorageRegistry.Supports(p.Scheme))
            throw FerryException.Invalid($"Missing values! A protocol of scheme '{p.Scheme}', which Ferry does not serve itself, needs an 'impl'");
        return p;
    }
}
