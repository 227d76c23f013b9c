using Ferry.Catalog.Accounts;
using Ferry.Core.Errors;

namespace Ferry.Engine.Application;

/// <summary>
/// The account an application operation acts for, and the permission checks the operations share. The HTTP host makes
/// one per request from the token (Ferry.Server.Http, <c>Caller.Of(ctx)</c>); a daemon acting for an account (a task's
/// output rule) makes one for that account, never an admin.
/// </summary>
public sealed record Caller(string Account, bool IsAdmin)
{
    /// <summary>The identity behind the session (username, DN, OIDC subject) and how it was proven; for the audit log.</summary>
    public string? Identity { get; init; }
    public string? AuthType { get; init; }

    public void RequireAdmin(string what)
    {
        if (!IsAdmin) throw FerryException.Denied($"Account {Account} can not {what}: it needs the admin attribute");
    }

    public async Task RequireScopeWrite(AccountCatalog accounts, string scope)
    {
        var owner = await accounts.ScopeOwnerAsync(scope) ?? throw FerryException.ScopeNotFound(scope);
        if (owner != Account && !IsAdmin) throw FerryException.Denied($"Account {Account} can not write in scope {scope}, which belongs to {owner}");
    }

    /// <summary>Every distinct scope of the items, checked before anything is written.</summary>
    public async Task RequireScopeWrite(AccountCatalog accounts, IEnumerable<string> scopes)
    {
        foreach (var scope in scopes.Distinct()) await RequireScopeWrite(accounts, scope);
    }

    public void RequireSelfOrAdmin(string account, string what)
    {
        if (account != Account && !IsAdmin) throw FerryException.Denied($"Account {Account} can not {what} of account {account}");
    }
}
