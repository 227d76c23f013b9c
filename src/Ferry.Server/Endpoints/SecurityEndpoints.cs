using Ferry.Catalog.Accounts;
using Ferry.Catalog.Audit;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Time;
using Ferry.Server.Http;
using Ferry.Server.Security;
using Ferry.Server.Security.X509;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>X.509 login, identities beyond passwords, token revocation and the audit log (issue 16).</summary>
internal static class SecurityEndpoints
{
    public static void MapSecurity(this IEndpointRouteBuilder app)
    {
        RequestDelegate x509 = async ctx =>
        {
            var check = TlsListener.Of(ctx) ?? throw new FerryException("CannotAuthenticate", 401,
                ctx.Request.IsHttps ? "Cannot get DN: no client certificate was presented" : "Cannot get DN: X.509 login needs the HTTPS listener (--tls-listen)");
            if (check.Error is not null) throw new FerryException("CannotAuthenticate", 401, $"Cannot authenticate with the client certificate: {check.Error}");
            var dn = DistinguishedNames.StripProxy(check.Dn!);
            ctx.Items[AuditMiddleware.IdentityItem] = dn;
            ctx.Items[AuditMiddleware.IdentityItem + ".type"] = "X509";
            var accounts = await Identities(ctx).AccountsForAsync(dn, "X509");
            var wanted = ctx.Request.Headers["X-Rucio-Account"].ToString();
            var account = OidcValidator.Choose(accounts, wanted, dn);
            var token = await ctx.RequestServices.GetRequiredService<AccountCatalog>().IssueTokenAsync(account, dn, $"{account}-x509-ferry");
            ctx.Items[Caller.ItemKey + ".account"] = account;
            ctx.Response.Headers["X-Rucio-Auth-Token"] = token.Token;
            ctx.Response.Headers["X-Rucio-Auth-Token-Expires"] = RucioTime.Format(token.ExpiresAt);
            ctx.Response.Headers["X-Rucio-Auth-Account"] = account;
            ctx.Response.Headers.CacheControl = "no-cache, no-store, max-age=0, must-revalidate";
            ctx.Response.ContentType = "application/octet-stream";
            ctx.Response.StatusCode = 200;
        };
        app.Map("GET", "/auth/x509", x509, "AuthX509", "Auth");
        app.Map("GET", "/auth/x509_proxy", x509, "AuthX509Proxy", "Auth");

        // One identity per line, as Rucio streams them (application/x-json-stream).
        app.Map("GET", "/accounts/{account}/identities", async ctx =>
            RucioResults.Stream((await Identities(ctx).ListAsync(ctx.Route("account")))
                .Select(i => new RucioIdentity { Type = i.Authtype, Identity = i.Identity, Email = i.Email })), "ListIdentities", "Accounts");

        app.Map("DELETE", "/accounts/{account}/identities", async ctx =>
        {
            var body = await Wire.ReadObject(ctx);
            await Identities(ctx).DeleteAsync(ctx.Route("account"), body.RequiredString("identity"), body.RequiredString("authtype").ToUpperInvariant());
            await Wire.Ok(ctx);
        }, "DeleteIdentity", "Accounts");

        app.Map("POST", "/ferry/tokens/revoke", async ctx =>
        {
            var caller = Caller.Of(ctx);
            var token = (await Wire.ReadObject(ctx)).RequiredString("token");
            if (OidcValidator.LooksLikeJwt(token))
            {
                var jwt = await ctx.RequestServices.GetRequiredService<OidcValidator>().VerifySignatureAsync(token);
                var identity = $"SUB={jwt.Subject}, ISS={jwt.Issuer}";
                var owners = await Identities(ctx).AccountsForAsync(identity, "OIDC");
                if (!caller.IsAdmin && !owners.Contains(caller.Account)) throw FerryException.Denied($"Account {caller.Account} can not revoke tokens of {identity}");
                var exp = jwt.TryGetPayloadValue<long>("exp", out var e) ? DateTimeOffset.FromUnixTimeSeconds(e) : DateTimeOffset.MaxValue;
                await Identities(ctx).RevokeAsync(OidcValidator.RevocationKey(jwt.Issuer, jwt.TryGetPayloadValue<string>("jti", out var j) ? j : null, token), owners.FirstOrDefault(), exp);
            }
            else
            {
                var owner = await Identities(ctx).TokenAccountAsync(token) ?? throw FerryException.NotFound("TokenNotFound", "No such session token");
                caller.RequireSelfOrAdmin(owner, "revoke tokens");
                await Identities(ctx).DeleteTokenAsync(token);
            }
            await Wire.WriteJson(ctx, new Dictionary<string, object> { ["revoked"] = true });
        }, "RevokeToken", "Auth");

        app.Map("GET", "/ferry/permissions", ctx => Wire.WriteJson(ctx, Permissions.Matrix.Select(p => new Dictionary<string, object?>
        {
            ["method"] = p.Method, ["route"] = p.Route, ["access"] = p.Access.ToString(), ["target"] = p.Target.ToString(), ["key"] = p.Key,
        })), "ListPermissions", "Auth");

        app.Map("GET", "/ferry/audit", async ctx =>
        {
            DateTimeOffset? since = ctx.Query("since") is { Length: > 0 } s ? ParseSince(s) : null;
            var limit = ctx.Query("limit") is { Length: > 0 } l
                ? int.TryParse(l, out var n) && n is > 0 and <= AuditCatalog.MaxLimit ? n : throw FerryException.Invalid($"'limit' must be 1-{AuditCatalog.MaxLimit}, got '{l}'")
                : 1000;
            var rows = await ctx.RequestServices.GetRequiredService<AuditCatalog>().ListAsync(ctx.Query("account") is { Length: > 0 } a ? a : null, since, limit);
            await Wire.WriteStream(ctx, rows.Select(r => new Dictionary<string, object?>
            {
                ["id"] = r.Id, ["at"] = RucioTime.Format(r.At), ["at_ms"] = r.At.ToUnixTimeMilliseconds(), ["account"] = r.Account, ["identity"] = r.Identity,
                ["auth_type"] = r.AuthType, ["method"] = r.Method, ["route"] = r.Route, ["path"] = r.Path, ["target"] = r.Target,
                ["status"] = r.Status, ["remote"] = r.Remote,
            }));
        }, "ListAudit", "Audit");
    }

    /// <summary>Unix seconds or milliseconds, ISO 8601, or Rucio's RFC 1123 form.</summary>
    private static DateTimeOffset ParseSince(string s)
    {
        if (long.TryParse(s, out var n)) return n > 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(n) : DateTimeOffset.FromUnixTimeSeconds(n);
        if (DateTimeOffset.TryParse(s.Replace(" UTC", " +00:00", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var t)) return t;
        throw FerryException.Invalid($"'since' must be a time (unix seconds, ISO 8601 or RFC 1123), got '{s}'");
    }

    private static IdentityCatalog Identities(HttpContext ctx) => ctx.RequestServices.GetRequiredService<IdentityCatalog>();
}
