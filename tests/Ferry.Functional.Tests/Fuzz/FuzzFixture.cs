using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Fuzz;

/// <summary>The catalogue the fuzzer aims at, its tokens, the endpoints from the OpenAPI document, and request building.</summary>
public static class FuzzFixture
{
    public sealed record Tokens(string Admin, string User, string Expired);

    /// <summary>Scopes, a container over a dataset of files with replicas on two RSEs, rules, an attribute, a second account.</summary>
    public static async Task<FuzzWorld> BuildAsync(FerryServer server, RawApi api)
    {
        var a = await Site.AddPosixRseAsync(api, "FZ_A");
        var b = await Site.AddPosixRseAsync(api, "FZ_B");
        var files = Site.MakeFiles("user.root", "fz", 6, i => 1000 + 500 * i);
        await Site.UploadAsync(api, "FZ_A", a, "fz_ds", files);
        await Ok(api, "POST", "/dids/user.root/fz_cont", """{"type":"CONTAINER"}""");
        await Ok(api, "POST", "/dids/user.root/fz_cont/dids", """{"dids":[{"scope":"user.root","name":"fz_ds"}]}""");
        await Ok(api, "POST", "/rses/FZ_A/attr/fuzzkey", """{"value":"1"}""");
        var toB = await Site.AddRuleAsync(api, "user.root", "fz_ds", "FZ_B");
        var onA = await Site.AddRuleAsync(api, "user.root", "fz_cont", "FZ_A", lifetime: 86400);
        await Site.WaitForRuleAsync(api, toB, "OK", TimeSpan.FromMinutes(2));

        await Ok(api, "POST", "/accounts/fuzzuser", """{"type":"USER","email":"f@example.org"}""");
        await Ok(api, "POST", "/accounts/fuzzuser/identities", """{"identity":"fuzzuser","authtype":"USERPASS","password":"pw-fuzzuser","email":"f@example.org"}""");
        await Ok(api, "POST", "/accounts/fuzzuser/scopes/user.fuzzuser");
        var user = await api.TokenAsync("fuzzuser", "pw-fuzzuser");
        using (var ds = await api.SendAsync("POST", "/dids/user.fuzzuser/fz_user_ds", """{"type":"DATASET"}""", user))
            Assert.Equal(201, (int)ds.StatusCode);

        return new FuzzWorld
        {
            Accounts = ["root", "fuzzuser"],
            Rses = ["FZ_A", "FZ_B", "LOCAL"],
            Scopes = ["user.root", "user.fuzzuser"],
            Files = files.Select(f => (f.Scope, f.Name)).ToList(),
            Collections = [("user.root", "fz_ds"), ("user.root", "fz_cont"), ("user.fuzzuser", "fz_user_ds")],
            RuleIds = [toB, onA],
            RseDirectories = [a, b, Path.Combine(server.Home, "rses", "LOCAL")],
        };
    }

    private static async Task Ok(RawApi api, string method, string path, string? body = null)
    {
        using var r = await api.SendAsync(method, path, body);
        Assert.True(r.IsSuccessStatusCode, $"{method} {path}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    /// <summary>An admin token, an ordinary user's, and a real token made to expire (its row's expiry set in the past).</summary>
    public static async Task<Tokens> TokensAsync(FerryServer server, RawApi api)
    {
        await Ok(api, "POST", "/accounts/fuzzexp", """{"type":"USER","email":"x@example.org"}""");
        await Ok(api, "POST", "/accounts/fuzzexp/identities", """{"identity":"fuzzexp","authtype":"USERPASS","password":"pw-fuzzexp","email":"x@example.org"}""");
        var expired = await api.TokenAsync("fuzzexp", "pw-fuzzexp");
        await using (var db = CatalogConnection.Open(server))
        {
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "UPDATE tokens SET expires_at = 1 WHERE account = 'fuzzexp'";
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        using (var check = await api.SendAsync("GET", "/accounts/whoami", token: expired))
            Assert.Equal(401, (int)check.StatusCode);
        return new Tokens(await api.TokenAsync(), await api.TokenAsync("fuzzuser", "pw-fuzzuser"), expired);
    }

    /// <summary>Every (method, route template) of the server's OpenAPI document.</summary>
    public static async Task<List<(string Method, string Template)>> EndpointsAsync(FerryServer server)
    {
        using var http = new HttpClient();
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"{server.Url}/openapi/v1.json"));
        return doc.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (m.Name.ToUpperInvariant(), p.Name)))
            .Where(e => e.Item1 is "GET" or "POST" or "PUT" or "DELETE" or "HEAD" or "PATCH")
            .ToList();
    }

    public static HttpRequestMessage Build(FerryServer server, FuzzRequest r, Tokens tokens)
    {
        var message = new HttpRequestMessage(new HttpMethod(r.Method), Uri(server, r.Path));
        var token = r.Token switch
        {
            TokenKind.Admin => tokens.Admin,
            TokenKind.User => tokens.User,
            TokenKind.Expired => tokens.Expired,
            TokenKind.Empty => "",
            TokenKind.Garbage => "root-0123456789abcdef0123456789abcdef';--",
            TokenKind.Huge => new string('A', 16_000),
            _ => null,
        };
        if (token is not null) message.Headers.TryAddWithoutValidation("X-Rucio-Auth-Token", token);
        if (r.Body is not null && r.Method != "HEAD")
        {
            message.Content = new ByteArrayContent(r.Body);
            if (r.ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", r.ContentType);
        }
        return message;
    }

    /// <summary>The path exactly as generated: no dot-segment removal or re-escaping by Uri, so traversal tricks reach the server.</summary>
    private static Uri Uri(FerryServer server, string path)
    {
        var options = new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true };
        if (System.Uri.TryCreate(server.Url + path, in options, out var uri)) return uri;
        var escaped = new StringBuilder();
        foreach (var c in path) escaped.Append(c is ' ' or '\\' or '"' or '<' or '>' or '|' or '^' or '`' or '{' or '}' || c > 126 ? System.Uri.EscapeDataString(c.ToString()) : c.ToString());
        return new Uri(server.Url + escaped, options);
    }

    /// <summary>
    /// Waits until the conveyor has nothing left to do (no transfer queued or running)
    /// and the catalogue has been quiet for ~0.4 s; at most 20 s.
    /// </summary>
    public static async Task SettleAsync(CatalogueState state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var quiet = 0;
        while ((quiet < 2 || state.DaemonsBusy()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            quiet = state.Changed() ? 0 : quiet + 1;
        }
    }

    /// <summary>True when commits keep coming for a while with no request in flight: the daemons at work.</summary>
    public static async Task<bool> KeepsChangingAsync(CatalogueState state)
    {
        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(200);
            if (state.Changed()) return true;
        }
        return false;
    }
}
