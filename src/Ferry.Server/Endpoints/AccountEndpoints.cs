using Ferry.Catalog.Accounts;
using Ferry.Core.Dialect;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Core.Model;
using Ferry.Core.Time;
using Ferry.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Endpoints;

/// <summary>Ping, auth, accounts, attributes, identities and scopes (dialect §1-4).</summary>
internal static class AccountEndpoints
{
    public static void MapAccounts(this IEndpointRouteBuilder app)
    {
        app.Map("GET", "/ping", ctx => Wire.WriteJson(ctx, new Dictionary<string, string> { ["version"] = ServerInfo.Version }), "Ping", "Ping");

        app.Map("GET", "/auth/userpass", async ctx =>
        {
            var user = ctx.Request.Headers["X-Rucio-Username"].ToString();
            var password = ctx.Request.Headers["X-Rucio-Password"].ToString();
            var account = ctx.Request.Headers["X-Rucio-Account"].ToString();
            if (user.Length == 0 || password.Length == 0)
                throw new FerryException("CannotAuthenticate", 401, "Cannot authenticate: X-Rucio-Username and X-Rucio-Password must be set");
            var guard = ctx.RequestServices.GetRequiredService<Security.LoginGuard>();
            ctx.Items[Security.AuditMiddleware.IdentityItem] = user;
            ctx.Items[Security.AuditMiddleware.IdentityItem + ".type"] = "USERPASS";
            await guard.EnsureNotLockedAsync(user, "USERPASS");
            TokenInfo token;
            try { token = await Catalog(ctx).LoginAsync(user, password, account.Length == 0 ? null : account); }
            catch (FerryException e) when (e.Status == 401)
            {
                await guard.FailedAsync(user, "USERPASS", ctx.Connection.RemoteIpAddress?.ToString());
                throw;
            }
            await guard.SucceededAsync(user, "USERPASS");
            ctx.Items[Caller.ItemKey + ".account"] = token.Account;
            ctx.Response.Headers["X-Rucio-Auth-Token"] = token.Token;
            ctx.Response.Headers["X-Rucio-Auth-Token-Expires"] = RucioTime.Format(token.ExpiresAt);
            ctx.Response.Headers["X-Rucio-Auth-Account"] = token.Account;
            ctx.Response.Headers.CacheControl = "no-cache, no-store, max-age=0, must-revalidate";
            ctx.Response.ContentType = "application/octet-stream";
            ctx.Response.StatusCode = 200;
        }, "AuthUserpass", "Auth");

        app.Map("GET", "/auth/validate", async ctx =>
        {
            // The same two headers every other endpoint takes (AuthMiddleware): a bad token in either is a 401, not "must be set".
            var token = AuthMiddleware.Token(ctx);
            if (token.Length == 0) throw new FerryException("ValueError", 400, "Token must be set.");
            var (account, expires) = Security.OidcValidator.LooksLikeJwt(token)
                ? await ValidateJwt(ctx, token)
                : await Catalog(ctx).ValidateAsync(token) is { } info ? (info.Account, info.ExpiresAt)
                : throw new FerryException("CannotAuthenticate", 401, "Cannot authenticate with given credentials: the token is unknown or expired");
            await Wire.WriteText(ctx, $"{{'account': '{account}', 'lifetime': '{expires:O}', 'vo': 'def'}}", 200);
        }, "AuthValidate", "Auth");

        app.Map("GET", "/accounts/whoami", ctx =>
        {
            ctx.Response.StatusCode = 303;
            ctx.Response.Headers.Location = Caller.Of(ctx).Account;
            return Task.CompletedTask;
        }, "Whoami", "Accounts");

        app.Map("GET", "/accounts", async ctx =>
            RucioResults.Stream((await Catalog(ctx).ListAsync(ctx.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString())))
                .Select(a => new RucioAccountSummary { Account = a.Name, Type = a.Type.Wire(), Email = a.Email })), "ListAccounts", "Accounts");

        app.Map("GET", "/accounts/{account}", async ctx =>
        {
            var a = await Catalog(ctx).GetAsync(ctx.Route("account"));
            return RucioResults.Json(new RucioAccount
            {
                Account = a.Name, AccountType = a.Type.Wire(), Status = a.Status, Email = a.Email, CreatedAt = a.CreatedAt, UpdatedAt = a.UpdatedAt,
            });
        }, "GetAccount", "Accounts");

        app.Map("POST", "/accounts/{account}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("add accounts");
            var body = await Wire.ReadObject(ctx);
            await Catalog(ctx).AddAsync(ctx.Route("account"), EnumNames.ParseAccountType(body.RequiredString("type")), body.OptString("email"));
            await Wire.Created(ctx);
        }, "AddAccount", "Accounts");

        app.Map("PUT", "/accounts/{account}", async ctx =>
        {
            // Rucio updates one key per call from whatever the body holds; Ferry takes status and email and names anything else.
            var body = await Wire.ReadObject(ctx);
            foreach (var key in body.Select(p => p.Key))
                if (key is not ("status" or "email")) throw FerryException.Invalid($"Unknown account field '{key}': use status or email");
            await Catalog(ctx).UpdateAsync(ctx.Route("account"), body.OptString("status")?.ToUpperInvariant(), body.OptString("email"));
            await Wire.Ok(ctx);
        }, "UpdateAccount", "Accounts");

        app.Map("DELETE", "/accounts/{account}", async ctx =>
        {
            await Catalog(ctx).DeleteAsync(ctx.Route("account"));
            await Wire.Ok(ctx);
        }, "DeleteAccount", "Accounts");

        app.Map("GET", "/accounts/{account}/attr", async ctx =>
        {
            var attrs = await Catalog(ctx).AttributesAsync(ctx.Route("account"));
            await Wire.WriteJson(ctx, attrs.Select(a => new Dictionary<string, object?> { ["key"] = a.Key, ["value"] = a.Value is "true" ? true : a.Value is "false" ? false : a.Value }));
        }, "ListAccountAttributes", "Accounts");

        app.Map("POST", "/accounts/{account}/attr/{key}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("set account attributes");
            var body = await Wire.ReadObject(ctx);
            var value = body.Required("value").ToString();
            await Catalog(ctx).SetAttributeAsync(ctx.Route("account"), ctx.Route("key"), value is "True" ? "true" : value is "False" ? "false" : value);
            await Wire.Created(ctx);
        }, "SetAccountAttribute", "Accounts");

        app.Map("DELETE", "/accounts/{account}/attr/{key}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("delete account attributes");
            await Catalog(ctx).DeleteAttributeAsync(ctx.Route("account"), ctx.Route("key"));
            await Wire.Ok(ctx);
        }, "DeleteAccountAttribute", "Accounts");

        app.Map("POST", "/accounts/{account}/identities", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("add identities");
            var body = await Wire.ReadObject(ctx);
            var authtype = body.RequiredString("authtype").ToUpperInvariant();
            // GSS and SSH identities are kept so Rucio's tools can manage them; Ferry logs in only by USERPASS, X509 and OIDC.
            if (authtype is "X509" or "OIDC" or "GSS" or "SSH")
            {
                var identity = body.RequiredString("identity");
                // Rucio's tools often give DNs in the comma form; Ferry keeps the slash form its certificate check produces.
                if (authtype == "X509") identity = DistinguishedName.ToSlashForm(identity);
                if (authtype == "X509" && !identity.StartsWith('/'))
                    throw FerryException.Invalid($"An X509 identity is a DN in the slash form, e.g. /DC=org/DC=example/CN=Jane Doe (openssl x509 -noout -subject -nameopt compat), not '{identity}'");
                await ctx.RequestServices.GetRequiredService<IdentityCatalog>().AddExternalAsync(ctx.Route("account"), identity, authtype, body.OptString("email"));
                await Wire.Created(ctx);
                return;
            }
            if (authtype != "USERPASS") throw FerryException.Invalid($"Identity type {authtype} is not supported: use USERPASS, X509, OIDC, GSS or SSH");
            await Catalog(ctx).AddUserpassAsync(ctx.Route("account"), body.RequiredString("identity"), body.RequiredString("password"), body.OptString("email"));
            await Wire.Created(ctx);
        }, "AddIdentity", "Accounts");

        app.Map("GET", "/accounts/{account}/scopes", async ctx =>
        {
            await Catalog(ctx).GetAsync(ctx.Route("account"));
            var scopes = await Catalog(ctx).ScopesAsync(ctx.Route("account"));
            if (scopes.Count == 0) throw FerryException.NotFound("ScopeNotFound", $"No scopes found for account {ctx.Route("account")}");
            return RucioResults.Json(scopes.Select(s => s.Scope).ToList());
        }, "ListAccountScopes", "Scopes");

        RequestDelegate addScope = async ctx =>
        {
            var account = ctx.Route("account");
            Caller.Of(ctx).RequireSelfOrAdmin(account, "add scopes");
            await Catalog(ctx).AddScopeAsync(ctx.Route("scope"), account);
            await Wire.Created(ctx);
        };
        app.Map("POST", "/accounts/{account}/scopes/{scope}", addScope, "AddScope", "Scopes");
        app.Map("POST", "/scopes/{account}/{scope}", addScope, "AddScopeLegacy", "Scopes");

        app.Map("GET", "/scopes", async ctx => RucioResults.Json((await Catalog(ctx).ScopesAsync()).Select(s => s.Scope).ToList()), "ListScopes", "Scopes");
        app.Map("GET", "/scopes/owner", async ctx =>
            RucioResults.Json((await Catalog(ctx).ScopesAsync()).Select(s => new RucioScopeOwner { Scope = s.Scope, Account = s.Account }).ToList()),
            "ListScopesWithOwner", "Scopes");

        app.Map("GET", "/accounts/{account}/usage/local", async ctx =>
        {
            var account = ctx.Route("account");
            var usage = await Catalog(ctx).UsageAsync(account);
            var limits = (await Quotas(ctx).LocalAsync(account)).ToDictionary(l => l.RseId, l => l.Bytes);
            // Every RSE with a limit or some usage, as Rucio lists them; an unlimited limit has no "remaining".
            var rows = usage.Select(u => (u.RseId, u.Rse, u.Bytes, u.Files)).ToList();
            foreach (var l in await Quotas(ctx).LocalAsync(account))
                if (rows.All(r => r.RseId != l.RseId)) rows.Add((l.RseId, l.Rse, 0, 0));
            return RucioResults.Stream(rows.OrderBy(r => r.Rse, StringComparer.Ordinal)
                .Select(u => AccountUsageEndpoints.Local(u.RseId, u.Rse, u.Bytes, u.Files, limits.TryGetValue(u.RseId, out var b) ? b : null)));
        }, "AccountUsage", "Accounts");

        // A map from RSE to limit, as Rucio's; an unlimited limit is the largest long (AccountUsageEndpoints.Limit).
        Func<HttpContext, Task<RucioJson<Dictionary<string, long>>>> localLimits = async ctx =>
            RucioResults.Json((await Quotas(ctx).LocalAsync(ctx.Route("account"))).ToDictionary(l => l.Rse, l => Limit(l.Bytes)));
        app.Map("GET", "/accounts/{account}/limits", localLimits, "AccountLimits", "Quotas");
        app.Map("GET", "/accounts/{account}/limits/local", localLimits, "AccountLocalLimits", "Quotas");
        app.Map("GET", "/accounts/{account}/limits/local/{rse}", async ctx =>
        {
            var rse = ctx.Route("rse");
            var l = (await Quotas(ctx).LocalAsync(ctx.Route("account"))).FirstOrDefault(x => x.Rse == rse);
            return RucioResults.Json(new Dictionary<string, long?> { [rse] = l is null ? null : Limit(l.Bytes) });
        }, "AccountLocalLimit", "Quotas");
        app.Map("POST", "/accounts/{account}/limits/local/{rse}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("set account limits");
            var bytes = (await Wire.ReadObject(ctx)).OptLong("bytes") ?? throw new FerryException("KeyError", 400, "'bytes' not defined");
            await Quotas(ctx).SetLocalAsync(ctx.Route("account"), ctx.Route("rse"), bytes);
            await Wire.Created(ctx);
        }, "SetAccountLocalLimit", "Quotas");
        app.Map("DELETE", "/accounts/{account}/limits/local/{rse}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("delete account limits");
            await Quotas(ctx).DeleteLocalAsync(ctx.Route("account"), ctx.Route("rse"));
            await Wire.Ok(ctx);
        }, "DeleteAccountLocalLimit", "Quotas");
        app.Map("GET", "/accounts/{account}/limits/global", async ctx =>
        {
            var ids = (await ctx.RequestServices.GetRequiredService<Ferry.Catalog.Rses.RseCatalog>().ListAsync()).ToDictionary(r => r.Name, r => r.Id);
            return RucioResults.Json((await Quotas(ctx).GlobalAsync(ctx.Route("account"))).ToDictionary(g => g.RseExpression, g => new RucioGlobalLimit
                { ResolvedRses = g.Rses.ToList(), ResolvedRseIds = g.Rses.Select(n => ids.GetValueOrDefault(n)).ToList(), Limit = Limit(g.Bytes) }));
        }, "AccountGlobalLimits", "Quotas");
        app.MapAccountUsage();
        app.Map("POST", "/accounts/{account}/limits/global/{expression}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("set account limits");
            var bytes = (await Wire.ReadObject(ctx)).OptLong("bytes") ?? throw new FerryException("KeyError", 400, "'bytes' not defined");
            await Quotas(ctx).SetGlobalAsync(ctx.Route("account"), ctx.Route("expression"), bytes);
            await Wire.Created(ctx);
        }, "SetAccountGlobalLimit", "Quotas");
        app.Map("DELETE", "/accounts/{account}/limits/global/{expression}", async ctx =>
        {
            Caller.Of(ctx).RequireAdmin("delete account limits");
            await Quotas(ctx).DeleteGlobalAsync(ctx.Route("account"), ctx.Route("expression"));
            await Wire.Ok(ctx);
        }, "DeleteAccountGlobalLimit", "Quotas");
    }

    private static AccountCatalog Catalog(HttpContext ctx) => ctx.RequestServices.GetRequiredService<AccountCatalog>();

    /// <summary>An OIDC access token, checked as AuthMiddleware checks it (Rucio's validate_auth_token takes JWTs too).</summary>
    private static async Task<(string Account, DateTimeOffset ExpiresAt)> ValidateJwt(HttpContext ctx, string token)
    {
        var bearer = await ctx.RequestServices.GetRequiredService<Security.OidcValidator>().ValidateAsync(token, ctx.Request.Headers["X-Rucio-Account"].ToString());
        return (bearer.Account, bearer.ExpiresAt);
    }
    private static QuotaCatalog Quotas(HttpContext ctx) => ctx.RequestServices.GetRequiredService<QuotaCatalog>();

    private static long Limit(long bytes) => AccountUsageEndpoints.Limit(bytes);
}
