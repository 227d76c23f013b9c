using Ferry.Catalog.Accounts;
using Ferry.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Ferry.Server.Http;

/// <summary>The authenticated account behind a request, and the permission checks every endpoint shares.</summary>
public sealed record Caller(string Account, bool IsAdmin)
{
    public const string ItemKey = "ferry.caller";

    /// <summary>The identity behind the session (username, DN, OIDC subject) and how it was proven; for the audit log.</summary>
    public string? Identity { get; init; }
    public string? AuthType { get; init; }

    public static Caller Of(HttpContext ctx) =>
        ctx.Items[ItemKey] as Caller ?? throw new FerryException("CannotAuthenticate", 401, "Authentication required");

    public void RequireAdmin(string what)
    {
        if (!IsAdmin) throw FerryException.Denied($"Account {Account} can not {what}: it needs the admin attribute");
    }

    public async Task RequireScopeWrite(AccountCatalog accounts, string scope)
    {
        var owner = await accounts.ScopeOwnerAsync(scope) ?? throw FerryException.ScopeNotFound(scope);
        if (owner != Account && !IsAdmin) throw FerryException.Denied($"Account {Account} can not write in scope {scope}, which belongs to {owner}");
    }

    public void RequireSelfOrAdmin(string account, string what)
    {
        if (account != Account && !IsAdmin) throw FerryException.Denied($"Account {Account} can not {what} of account {account}");
    }
}
