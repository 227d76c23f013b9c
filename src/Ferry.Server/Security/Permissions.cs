namespace Ferry.Server.Security;

/// <summary>Who may call an endpoint. Admins (account attribute admin=true) pass every rule but Anonymous needs no one.</summary>
public enum Access
{
    /// <summary>No token needed.</summary>
    Anonymous,
    /// <summary>Any valid token.</summary>
    Authenticated,
    /// <summary>An admin account.</summary>
    Admin,
    /// <summary>The owner of the scope written to.</summary>
    ScopeOwner,
    /// <summary>The account of the rule.</summary>
    RuleOwner,
    /// <summary>The account named (in the route or as the body's "account").</summary>
    AccountOwner,
    /// <summary>The account of the task.</summary>
    TaskOwner,
    /// <summary>The account of the subscription.</summary>
    SubscriptionOwner,
}

/// <summary>Where the owner is found: a route value checked by the permission middleware, or the body, checked item by item in the endpoint.</summary>
public enum TargetIn { None, Route, Body }

public sealed record Permission(string Method, string Route, Access Access, TargetIn Target = TargetIn.None, string? Key = null, string? What = null);

/// <summary>
/// The permission matrix: one row per endpoint (method + route pattern, as in the OpenAPI document) and, for the DID
/// dispatcher, per DID sub-route. <see cref="PermissionMiddleware"/> applies it before any endpoint runs; a test
/// fails when an endpoint of the OpenAPI document has no row. docs/permissions.md is this table in prose.
/// </summary>
public static class Permissions
{
    private static Permission P(string method, string route, Access access, TargetIn target = TargetIn.None, string? key = null, string? what = null) =>
        new(method, route, access, target, key, what);

    public static readonly IReadOnlyList<Permission> Matrix =
    [
        // Authentication and service endpoints
        P("GET", "/ping", Access.Anonymous), P("GET", "/health", Access.Anonymous), P("POST", "/traces", Access.Anonymous),
        // Probes and the Prometheus scrape: open like /health (labels never name accounts or tokens, docs/metrics.md)
        P("GET", "/health/live", Access.Anonymous), P("GET", "/health/ready", Access.Anonymous), P("GET", "/metrics", Access.Anonymous),
        P("GET", "/auth/userpass", Access.Anonymous), P("GET", "/auth/validate", Access.Anonymous),
        P("GET", "/auth/x509", Access.Anonymous), P("GET", "/auth/x509_proxy", Access.Anonymous),
        P("POST", "/ferry/tokens/revoke", Access.Authenticated, TargetIn.Body, "token", "revoke tokens"),
        P("GET", "/ferry/audit", Access.Admin, what: "read the audit log"),
        P("GET", "/ferry/permissions", Access.Authenticated),
        // The web UI's storage aggregate: another account's usage only for admins (checked in the endpoint on ?account=)
        P("GET", "/ferry/ui/storage", Access.Authenticated, TargetIn.Body, "account", "read another account's usage"),
        P("GET", "/ferry/messages", Access.Admin, what: "read the message queue"),

        // Accounts, identities, scopes, quotas
        P("GET", "/accounts/whoami", Access.Authenticated), P("GET", "/accounts", Access.Authenticated),
        P("GET", "/accounts/{account}", Access.Authenticated), P("POST", "/accounts/{account}", Access.Admin, what: "add accounts"),
        P("PUT", "/accounts/{account}", Access.Admin, what: "change accounts"), P("DELETE", "/accounts/{account}", Access.Admin, what: "delete accounts"),
        P("GET", "/accounts/{account}/attr", Access.Authenticated),
        P("POST", "/accounts/{account}/attr/{key}", Access.Admin, what: "set account attributes"),
        P("DELETE", "/accounts/{account}/attr/{key}", Access.Admin, what: "delete account attributes"),
        P("GET", "/accounts/{account}/identities", Access.AccountOwner, TargetIn.Route, "account", "list the identities"),
        P("POST", "/accounts/{account}/identities", Access.Admin, what: "add identities"),
        P("DELETE", "/accounts/{account}/identities", Access.Admin, what: "delete identities"),
        P("GET", "/accounts/{account}/scopes", Access.Authenticated),
        P("POST", "/accounts/{account}/scopes/{scope}", Access.AccountOwner, TargetIn.Route, "account", "add scopes"),
        P("POST", "/scopes/{account}/{scope}", Access.AccountOwner, TargetIn.Route, "account", "add scopes"),
        P("GET", "/scopes", Access.Authenticated), P("GET", "/scopes/owner", Access.Authenticated),
        P("GET", "/accounts/{account}/usage/local", Access.Authenticated), P("GET", "/accounts/{account}/usage/local/{rse}", Access.Authenticated),
        P("GET", "/accounts/{account}/usage/global", Access.Authenticated), P("GET", "/accounts/{account}/usage/global/{expression}", Access.Authenticated),
        P("GET", "/accounts/{account}/limits", Access.Authenticated), P("GET", "/accounts/{account}/limits/local", Access.Authenticated),
        P("GET", "/accounts/{account}/limits/local/{rse}", Access.Authenticated),
        P("POST", "/accounts/{account}/limits/local/{rse}", Access.Admin, what: "set account limits"),
        P("DELETE", "/accounts/{account}/limits/local/{rse}", Access.Admin, what: "delete account limits"),
        P("GET", "/accounts/{account}/limits/global", Access.Authenticated),
        P("GET", "/accounts/{account}/limits/global/{expression}", Access.Authenticated),
        P("POST", "/accounts/{account}/limits/global/{expression}", Access.Admin, what: "set account limits"),
        P("DELETE", "/accounts/{account}/limits/global/{expression}", Access.Admin, what: "delete account limits"),
        P("GET", "/accounts/{account}/rules", Access.Authenticated),
        P("GET", "/ferry/accounts/{account}/usage/report", Access.AccountOwner, TargetIn.Route, "account", "read the usage report"),

        // RSEs
        P("GET", "/rses", Access.Authenticated), P("GET", "/rses/{rse}", Access.Authenticated),
        P("POST", "/rses/{rse}", Access.Admin, what: "add RSEs"), P("PUT", "/rses/{rse}", Access.Admin, what: "update RSEs"),
        P("DELETE", "/rses/{rse}", Access.Admin, what: "delete RSEs"),
        P("GET", "/rses/{rse}/attr", Access.Authenticated),
        P("POST", "/rses/{rse}/attr/{key}", Access.Admin, what: "set RSE attributes"),
        P("DELETE", "/rses/{rse}/attr/{key}", Access.Admin, what: "delete RSE attributes"),
        P("GET", "/rses/{rse}/protocols", Access.Authenticated),
        P("POST", "/rses/{rse}/protocols/{scheme}", Access.Admin, what: "add RSE protocols"),
        P("DELETE", "/rses/{rse}/protocols/{scheme}", Access.Admin, what: "delete RSE protocols"),
        P("GET", "/rses/{rse}/protocols/{scheme}", Access.Authenticated),
        P("PUT", "/rses/{rse}/protocols/{scheme}", Access.Admin, what: "update RSE protocols"),
        P("PUT", "/rses/{rse}/protocols/{scheme}/{hostname}", Access.Admin, what: "update RSE protocols"),
        P("PUT", "/rses/{rse}/protocols/{scheme}/{hostname}/{port}", Access.Admin, what: "update RSE protocols"),
        P("DELETE", "/rses/{rse}/protocols/{scheme}/{hostname}", Access.Admin, what: "delete RSE protocols"),
        P("DELETE", "/rses/{rse}/protocols/{scheme}/{hostname}/{port}", Access.Admin, what: "delete RSE protocols"),
        P("DELETE", "/rses/{src}/distances/{dst}", Access.Admin, what: "delete distances"),
        P("PUT", "/rses/{rse}/usage", Access.Admin, what: "set RSE usage"), P("GET", "/rses/{rse}/usage/history", Access.Authenticated),
        P("GET", "/rses/{rse}/accounts/usage", Access.Authenticated),
        P("GET", "/rses/{rse}/usage", Access.Authenticated), P("GET", "/rses/{rse}/limits", Access.Authenticated),
        P("PUT", "/rses/{rse}/limits", Access.Admin, what: "set RSE limits"), P("DELETE", "/rses/{rse}/limits", Access.Admin, what: "delete RSE limits"),
        P("GET", "/rses/{src}/distances/{dst}", Access.Authenticated),
        P("POST", "/rses/{src}/distances/{dst}", Access.Admin, what: "set distances"), P("PUT", "/rses/{src}/distances/{dst}", Access.Admin, what: "set distances"),
        P("GET", "/rses/{rse}/lfns2pfns", Access.Authenticated),
        P("GET", "/ferry/rses/{rse}/replicas", Access.Authenticated),
        P("POST", "/ferry/rses/{rse}/check", Access.Admin, what: "check RSEs against their storage"),

        // DIDs (the fixed routes, then the sub-routes of the /dids/{**rest} dispatcher)
        P("POST", "/dids", Access.ScopeOwner, TargetIn.Body, "scope"), P("POST", "/dids/attachments", Access.ScopeOwner, TargetIn.Body, "scope"),
        P("POST", "/dids/bulkdidsmeta", Access.ScopeOwner, TargetIn.Body, "scope"), P("POST", "/dids/bulkmeta", Access.Authenticated),
        P("POST", "/dids/sample", Access.ScopeOwner, TargetIn.Body, "output_scope"),
        P("GET", "/dids/{**rest}", Access.Authenticated), P("POST", "/dids/{**rest}", Access.ScopeOwner, TargetIn.Route, "scope"),
        P("PUT", "/dids/{**rest}", Access.ScopeOwner, TargetIn.Route, "scope"), P("DELETE", "/dids/{**rest}", Access.ScopeOwner, TargetIn.Route, "scope"),

        // Replicas
        P("POST", "/replicas", Access.ScopeOwner, TargetIn.Body, "scope"), P("PUT", "/replicas", Access.ScopeOwner, TargetIn.Body, "scope"),
        P("DELETE", "/replicas", Access.ScopeOwner, TargetIn.Body, "scope"), P("POST", "/replicas/bad", Access.ScopeOwner, TargetIn.Body, "scope"),
        P("POST", "/replicas/list", Access.Authenticated), P("POST", "/replicas/datasets_bulk", Access.Authenticated),
        P("GET", "/replicas/{scope}/{name}", Access.Authenticated), P("GET", "/replicas/{scope}/{name}/datasets", Access.Authenticated),
        // Rucio answers these without a token; Ferry asks for one, as for every other listing of where data is.
        P("GET", "/redirect/{scope}/{name}", Access.Authenticated), P("GET", "/redirect/{scope}/{name}/metalink", Access.Authenticated),

        // Rules
        P("POST", "/rules", Access.AccountOwner, TargetIn.Body, "account"), P("GET", "/rules", Access.Authenticated),
        P("GET", "/rules/{id}", Access.Authenticated), P("GET", "/rules/{id}/locks", Access.Authenticated),
        P("GET", "/rules/{scope}/{name}/history", Access.Authenticated),
        P("PUT", "/rules/{id}", Access.RuleOwner, TargetIn.Route, "id", "update rules"),
        P("POST", "/rules/{id}/move", Access.RuleOwner, TargetIn.Route, "id", "move rules"),
        P("DELETE", "/rules/{id}", Access.RuleOwner, TargetIn.Route, "id", "delete rules"),
        P("POST", "/ferry/rules/progress", Access.Authenticated),

        // Ferry's storage view of posix RSEs: writes only to lfn2pfn paths of the caller's scopes (checked on the path)
        P("GET", "/storage/{rse}/{**path}", Access.Authenticated), P("HEAD", "/storage/{rse}/{**path}", Access.Authenticated),
        P("PUT", "/storage/{rse}/{**path}", Access.ScopeOwner, TargetIn.Body, "path"),
        P("MOVE", "/storage/{rse}/{**path}", Access.ScopeOwner, TargetIn.Body, "path"),
        P("DELETE", "/storage/{rse}/{**path}", Access.ScopeOwner, TargetIn.Body, "path"),
        P("MKCOL", "/storage/{rse}/{**path}", Access.Authenticated),

        // Bulk work on datasets
        P("POST", "/ferry/data/select", Access.Authenticated), P("POST", "/ferry/data/extend/plan", Access.Authenticated),
        P("POST", "/ferry/data/delete/plan", Access.Authenticated),
        P("POST", "/ferry/data/replicate", Access.AccountOwner, TargetIn.Body, "account"),
        P("POST", "/ferry/data/extend", Access.RuleOwner, TargetIn.Body, "rules"),
        P("POST", "/ferry/data/delete", Access.RuleOwner, TargetIn.Body, "rules"),

        // Tasks
        P("POST", "/ferry/tasks", Access.ScopeOwner, TargetIn.Body, "output_scope"), P("GET", "/ferry/tasks", Access.Authenticated),
        P("GET", "/ferry/tasks/table", Access.Authenticated), P("GET", "/ferry/tasks/{id}", Access.Authenticated),
        P("POST", "/ferry/tasks/{id}/{action}", Access.TaskOwner, TargetIn.Body, "id"),
        P("POST", "/ferry/tasks/bulk/{action}", Access.TaskOwner, TargetIn.Body, "selection"),
        P("GET", "/ferry/tasks/{id}/attempts", Access.TaskOwner, TargetIn.Body, "id"),
        P("GET", "/ferry/tasks/{id}/jobs/{job}/attempts/{attempt}/{stream}", Access.TaskOwner, TargetIn.Body, "id"),

        // Catalogue sync, site policies, transfers
        P("POST", "/ferry/subscriptions", Access.AccountOwner, TargetIn.Body, "account"), P("GET", "/ferry/subscriptions", Access.Authenticated),
        P("GET", "/ferry/subscriptions/{name}", Access.Authenticated),
        P("PUT", "/ferry/subscriptions/{name}", Access.SubscriptionOwner, TargetIn.Body, "name"),
        P("GET", "/ferry/subscriptions/{name}/history", Access.Authenticated), P("POST", "/ferry/subscriptions/dry-run", Access.Authenticated),
        P("POST", "/ferry/subscriptions/run", Access.Admin, what: "run subscriptions"),
        // Rucio's export and import of the RSE topology, admins only as in Rucio's generic policy
        P("GET", "/export", Access.Admin, what: "export the RSE topology"), P("POST", "/import", Access.Admin, what: "import RSEs and distances"),
        // Rucio's subscription API over the same catalogue; as in Rucio's generic policy, only admins add or change them
        P("POST", "/subscriptions/{account}/{name}", Access.Admin, what: "add subscriptions"),
        P("PUT", "/subscriptions/{account}/{name}", Access.Admin, what: "change subscriptions"),
        P("GET", "/subscriptions/{account}/{name}", Access.Authenticated), P("GET", "/subscriptions/{account}", Access.Authenticated),
        P("GET", "/requests/list", Access.Admin, what: "list requests"), P("GET", "/requests/history/{**rest}", Access.Authenticated),
        P("GET", "/requests/{**rest}", Access.Authenticated),
        P("GET", "/subscriptions", Access.Authenticated), P("GET", "/subscriptions/name/{name}", Access.Authenticated),
        P("GET", "/subscriptions/id/{id}", Access.Authenticated), P("GET", "/subscriptions/{account}/{name}/rules", Access.Authenticated),
        P("GET", "/ferry/retention", Access.Authenticated),
        P("PUT", "/ferry/retention/{rse}", Access.Admin, what: "set retention policies"),
        P("DELETE", "/ferry/retention/{rse}", Access.Admin, what: "remove retention policies"),
        P("GET", "/ferry/retention/{rse}/dry-run", Access.Authenticated),
        P("POST", "/ferry/retention/{rse}/run", Access.Admin, what: "apply retention policies"),
        P("POST", "/ferry/audit/{rse}/run", Access.Admin, what: "audit replicas"),
        P("POST", "/ferry/transfers/stalled", Access.Admin, what: "reset stalled transfers"),
        P("GET", "/ferry/transfers/links", Access.Authenticated),

        // Rucio's server configuration: reading it is as privileged as writing it (Rucio's policy)
        P("GET", "/config", Access.Admin, what: "read the configuration"), P("POST", "/config", Access.Admin, what: "set configuration options"),
        P("GET", "/config/{section}", Access.Admin, what: "read the configuration"),
        P("DELETE", "/config/{section}", Access.Admin, what: "remove configuration sections"),
        P("GET", "/config/{section}/{option}", Access.Admin, what: "read the configuration"),
        P("DELETE", "/config/{section}/{option}", Access.Admin, what: "remove configuration options"),
        P("PUT", "/config/{section}/{option}/{value}", Access.Admin, what: "set configuration options"),
    ];

    private static readonly Dictionary<(string, string), Permission> ByRoute =
        Matrix.ToDictionary(p => (p.Method, Normalize(p.Route)), p => p);

    /// <summary>The row for an endpoint, matched on method and route pattern (parameter names and catch-all marks ignored).</summary>
    public static Permission? Find(string method, string route) => ByRoute.GetValueOrDefault((method.ToUpperInvariant(), Normalize(route)));

    /// <summary>"/dids/{**rest}/" and "/dids/{rest}" are the same route: OpenAPI drops the catch-all mark and Rucio's trailing slash.</summary>
    public static string Normalize(string route) => route.Replace("{**", "{", StringComparison.Ordinal).Replace("{*", "{", StringComparison.Ordinal).TrimEnd('/') is { Length: > 0 } r ? r : "/";
}
