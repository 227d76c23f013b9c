using Ferry.Server.Security;

namespace Ferry.Server.Tests.Security;

/// <summary>The permission matrix as data: lookups by method and route pattern, and the shape every row must have.</summary>
public sealed class PermissionsTests
{
    [Fact]
    public void A_row_is_found_by_method_and_route_whatever_the_case_of_the_method()
    {
        var p = Permissions.Find("put", "/rules/{id}");
        Assert.NotNull(p);
        Assert.Equal(Access.RuleOwner, p.Access);
        Assert.Equal(TargetIn.Route, p.Target);
        Assert.Equal("id", p.Key);
    }

    [Theory]
    [InlineData("/dids/{**rest}")]
    [InlineData("/dids/{*rest}")]
    [InlineData("/dids/{rest}")]
    [InlineData("/dids/{rest}/")]
    public void Catch_all_marks_and_a_trailing_slash_do_not_matter(string route)
    {
        Assert.Equal(Access.ScopeOwner, Permissions.Find("POST", route)?.Access);
    }

    [Fact]
    public void Unknown_routes_and_methods_have_no_row()
    {
        Assert.Null(Permissions.Find("GET", "/no/such/route"));
        Assert.Null(Permissions.Find("PATCH", "/ping"));
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/rules/", "/rules")]
    [InlineData("/requests/{**rest}", "/requests/{rest}")]
    public void Normalize_drops_catch_all_marks_and_the_trailing_slash_but_keeps_the_root(string route, string normal)
    {
        Assert.Equal(normal, Permissions.Normalize(route));
    }

    [Fact]
    public void The_public_routes_are_only_the_ones_meant_to_be()
    {
        var anonymous = Permissions.Matrix.Where(p => p.Access == Access.Anonymous).Select(p => p.Route).Order(StringComparer.Ordinal);
        Assert.Equal(["/auth/userpass", "/auth/validate", "/auth/x509", "/auth/x509_proxy", "/health", "/health/live", "/health/ready", "/metrics", "/ping", "/traces"],
            anonymous);
    }

    [Fact]
    public void Every_row_is_well_formed()
    {
        var broken = new List<string>();
        foreach (var p in Permissions.Matrix)
        {
            // Find upper-cases the request's method, so a row spelled otherwise would never match (WebDAV's MOVE, MKCOL included).
            if (p.Method.Length == 0 || p.Method != p.Method.ToUpperInvariant()) broken.Add($"{p.Method} {p.Route}: method");
            if (!p.Route.StartsWith('/')) broken.Add($"{p.Method} {p.Route}: route does not start with /");
            // A refusal names what was asked ("can not add accounts"); an owner check needs to know where the owner is.
            if (p.Access == Access.Admin && string.IsNullOrEmpty(p.What)) broken.Add($"{p.Method} {p.Route}: admin row without what");
            if (p.Target != TargetIn.None && string.IsNullOrEmpty(p.Key)) broken.Add($"{p.Method} {p.Route}: target without key");
            if (p.Access is Access.AccountOwner or Access.RuleOwner or Access.ScopeOwner or Access.TaskOwner or Access.SubscriptionOwner && p.Target == TargetIn.None)
                broken.Add($"{p.Method} {p.Route}: owner check without a target");
        }
        Assert.True(broken.Count == 0, string.Join("\n", broken));
        Assert.Equal(Permissions.Matrix.Count, Permissions.Matrix.Select(p => (p.Method, Permissions.Normalize(p.Route))).Distinct().Count());
    }
}
