using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Ui;

/// <summary>The web UI's files over plain HTTP: what is served, with which type and headers, and that nothing points off the server.</summary>
public sealed partial class UiAssetTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private static readonly Dictionary<string, string> TypeByExtension = new()
    {
        [".html"] = "text/html; charset=utf-8", [".css"] = "text/css; charset=utf-8", [".js"] = "text/javascript; charset=utf-8", [".svg"] = "image/svg+xml",
    };

    // The SVG namespace is an identifier the DOM needs, never fetched.
    private const string SvgNamespace = "http://www.w3.org/2000/svg";

    [GeneratedRegex("""(?:src|href)\s*=\s*"([^"#]+)"|(?:from|import)\s*["']([^"']+)["']""")] private static partial Regex Reference();
    [GeneratedRegex("""(?i)\b(?:https?|wss?|ftp)://[^\s"'`)<>]*|(?:["'(]|url\(\s*)//[a-z0-9]""")] private static partial Regex ExternalUrl();

    [Fact]
    public async Task Every_asset_reachable_from_the_page_is_served_with_its_type_and_none_references_an_external_url()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(f.Server.Url) };

        using (var bare = await http.GetAsync("/ui"))
        {
            Assert.Equal(HttpStatusCode.Found, bare.StatusCode);
            Assert.Equal("/ui/", bare.Headers.Location?.ToString());
        }

        // Walk the page and its imports: every file it names must come from /ui/ with the right type and no outside reference.
        var seen = new Dictionary<string, string>();
        var queue = new Queue<Uri>([new Uri(f.Server.Url + "/ui/")]);
        while (queue.TryDequeue(out var url))
        {
            if (seen.ContainsKey(url.AbsolutePath)) continue;
            using var resp = await http.GetAsync(url);
            var text = await resp.Content.ReadAsStringAsync();
            Assert.True(resp.StatusCode == HttpStatusCode.OK, $"{url} -> {(int)resp.StatusCode}: {text}");
            var ext = url.AbsolutePath.EndsWith('/') ? ".html" : Path.GetExtension(url.AbsolutePath);
            Assert.Equal(TypeByExtension[ext], resp.Content.Headers.ContentType?.ToString());
            Assert.Equal("nosniff", resp.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("default-src 'self'", resp.Headers.GetValues("Content-Security-Policy").Single());
            seen[url.AbsolutePath] = text;

            var external = ExternalUrl().Matches(text).Select(m => m.Value).Where(v => v != SvgNamespace).ToList();
            Assert.True(external.Count == 0, $"{url.AbsolutePath} references outside the server: {string.Join(", ", external)}");
            foreach (Match m in Reference().Matches(text))
            {
                var target = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                if (target.StartsWith("data:", StringComparison.Ordinal)) continue;
                var next = new Uri(url, target);
                Assert.True(next.AbsolutePath.StartsWith("/ui/", StringComparison.Ordinal) && next.Authority == url.Authority, $"{url.AbsolutePath} refers to {target}");
                queue.Enqueue(next);
            }
        }
        // The page, its stylesheet, its icon, the shell, the API client, the helpers, the charts and every view.
        foreach (var expected in new[] { "/ui/", "/ui/app.css", "/ui/icon.svg", "/ui/js/app.js", "/ui/js/api.js", "/ui/js/dom.js", "/ui/js/charts.js",
                     "/ui/js/views/login.js", "/ui/js/views/overview.js", "/ui/js/views/browse.js", "/ui/js/views/rules.js", "/ui/js/views/transfers.js", "/ui/js/views/storage.js", "/ui/js/views/tasks.js" })
            Assert.True(seen.ContainsKey(expected), $"{expected} was not reached from the page; reached: {string.Join(", ", seen.Keys)}");
        Assert.Contains("<script type=\"module\" src=\"js/app.js\">", seen["/ui/"]);
    }

    /// <summary>The detector above must catch what a careless edit would add, or the walk proves nothing.</summary>
    [Theory]
    [InlineData("<script src=\"https://cdn.example.org/lib.js\"></script>", true)]
    [InlineData("<link rel=\"stylesheet\" href=\"//fonts.example.org/a.css\">", true)]
    [InlineData("@import url(//fonts.example.org/a.css);", true)]
    [InlineData("import { x } from \"http://esm.example.org/x.js\";", true)]
    [InlineData("fetch('wss://push.example.org/events')", true)]
    [InlineData("const r = await fetch(\"/auth/userpass\");", false)]
    [InlineData("document.createElementNS(\"http://www.w3.org/2000/svg\", tag)", false)]
    [InlineData("// a comment, then a path: \"/ui/js/app.js\"", false)]
    public void The_external_url_detector_flags_outside_references_and_nothing_else(string text, bool external) =>
        Assert.Equal(external, ExternalUrl().Matches(text).Any(m => m.Value != SvgNamespace));

    [Fact]
    public async Task Assets_revalidate_by_etag_answer_head_and_refuse_unknown_files_and_writes_with_a_message()
    {
        using var http = new HttpClient { BaseAddress = new Uri(f.Server.Url) };
        using var first = await http.GetAsync("/ui/js/app.js");
        var etag = first.Headers.ETag!;
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());
        using (var again = new HttpRequestMessage(HttpMethod.Get, "/ui/js/app.js"))
        {
            again.Headers.IfNoneMatch.Add(etag);
            using var resp = await http.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, resp.StatusCode);
        }
        using (var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ui/app.css")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal("text/css; charset=utf-8", head.Content.Headers.ContentType?.ToString());
            Assert.True(head.Content.Headers.ContentLength > 1000);
        }
        // No token is needed for the files (the API calls they make carry it), and nothing else is reachable through /ui.
        Assert.Contains("not-here.js", await RawApi.AssertError(await http.GetAsync("/ui/not-here.js"), 404, "NotFound"));
        Assert.Contains("not-here.js", await RawApi.AssertError(await http.GetAsync("/ui/js/../not-here.js"), 404, "NotFound"));
        await RawApi.AssertError(await http.GetAsync("/ui/js/"), 404, "NotFound");
        using var post = await http.PostAsync("/ui/index.html", new StringContent("x"));
        Assert.Contains("GET", await RawApi.AssertError(post, 405, "MethodNotAllowed"));
        Assert.Equal(["GET", "HEAD"], post.Content.Headers.Allow);
    }

    [Fact]
    public async Task The_storage_aggregate_needs_a_token_gives_usage_and_quota_per_rse_and_is_in_the_openapi_document()
    {
        await Site.AddPosixRseAsync(f.Api, "UIA-DISK");
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/root/limits/local/UIA-DISK", """{"bytes": 5000000}""")).StatusCode);
        await RawApi.AssertError(await f.Api.SendAsync("GET", "/ferry/ui/storage", auth: false), 400, "ValueError");

        var storage = await f.Api.JsonAsync("GET", "/ferry/ui/storage");
        Assert.Equal("root", storage.GetProperty("account").GetString());
        var disk = storage.GetProperty("rses").EnumerateArray().Single(r => r.GetProperty("rse").GetString() == "UIA-DISK");
        Assert.Equal(0, disk.GetProperty("used_bytes").GetInt64());
        Assert.True(disk.GetProperty("limit_set").GetBoolean());
        Assert.Equal(5_000_000, disk.GetProperty("bytes_limit").GetInt64());
        var local = storage.GetProperty("rses").EnumerateArray().Single(r => r.GetProperty("rse").GetString() == "LOCAL");
        Assert.False(local.GetProperty("limit_set").GetBoolean());
        Assert.Equal(JsonValueKind.Array, storage.GetProperty("global_limits").ValueKind);

        // Another account's quotas are for that account and admins; an unknown account is a 404 with its name.
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/uiviewer", """{"type":"USER"}""")).StatusCode);
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/uiviewer/identities", """{"authtype":"USERPASS","identity":"uiviewer","password":"viewer-pass"}""")).StatusCode);
        var viewerToken = await f.Api.TokenAsync("uiviewer", "viewer-pass");
        Assert.Equal("uiviewer", (await JsonAsync(f.Api, "/ferry/ui/storage", viewerToken)).GetProperty("account").GetString());
        await RawApi.AssertError(await f.Api.SendAsync("GET", "/ferry/ui/storage?account=root", token: viewerToken), 401, "AccessDenied");
        Assert.Contains("nobody-here", await RawApi.AssertError(await f.Api.SendAsync("GET", "/ferry/ui/storage?account=nobody-here"), 404, "AccountNotFound"));

        using var openapi = await f.Api.SendAsync("GET", "/openapi/v1.json", auth: false);
        using var doc = JsonDocument.Parse(await openapi.Content.ReadAsStringAsync());
        var op = doc.RootElement.GetProperty("paths").GetProperty("/ferry/ui/storage").GetProperty("get");
        Assert.Equal("UiStorage", op.GetProperty("operationId").GetString());
        Assert.Equal("UI", op.GetProperty("tags")[0].GetString());
        Assert.False(doc.RootElement.GetProperty("paths").EnumerateObject().Any(p => p.Name.StartsWith("/ui", StringComparison.Ordinal)), "the UI's files are not API endpoints");
    }

    private static async Task<JsonElement> JsonAsync(RawApi api, string path, string token)
    {
        using var resp = await api.SendAsync("GET", path, token: token);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.IsSuccessStatusCode, $"GET {path} -> {(int)resp.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
