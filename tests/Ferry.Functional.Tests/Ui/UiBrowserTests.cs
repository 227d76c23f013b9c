using System.Text.RegularExpressions;
using Ferry.Core.Time;
using Ferry.Functional.Tests.Agent;
using Ferry.Functional.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Ferry.Functional.Tests.Ui;

/// <summary>
/// The web UI at /ui in headless chromium against a real server: log in, browse to a file's replicas, extend and
/// delete rules, the usage and transfer charts, tasks, and what happens when the API refuses or the session ends.
/// Every page's requests must stay on the server; screenshots go to the test artifacts.
/// </summary>
public sealed class UiBrowserTests(UiFixture f) : IClassFixture<UiFixture>
{
    [ChromiumFact]
    public async Task Logs_in_with_the_keyboard_and_walks_from_a_scope_to_a_files_replicas()
    {
        await using var s = await OpenAsync();
        var page = s.Page;
        await page.GotoAsync(f.Server.Url + "/ui/");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("#/login"));

        // A wrong password is said so, and the form stays.
        await page.FillAsync("#login-username", "root");
        await page.FillAsync("#login-password", "wrong-password");
        await page.ClickAsync("#login-button");
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("Wrong username or password");
        await Assertions.Expect(page.Locator("#login-password")).ToBeFocusedAsync();

        // The keyboard alone logs in: password field, then back to the username with Shift+Tab, then Enter.
        await page.Keyboard.TypeAsync(FerryServer.RootPassword);
        await page.Keyboard.PressAsync("Shift+Tab");
        await Assertions.Expect(page.Locator("#login-username")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("main h1")).ToHaveTextAsync("Overview");
        await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync("root");
        var rules = await f.Api.StreamAsync("GET", "/rules?account=root");
        await Assertions.Expect(page.Locator("[data-overview=rules]")).ToHaveTextAsync(rules.Count.ToString());
        await Assertions.Expect(page.Locator("[data-overview=tasks]")).ToHaveTextAsync("1");
        // The stuck rule is the one that needs attention: its bar is all red, and says so.
        var stuck = page.Locator($"#attention tr[data-rule-id='{f.StuckRule}']");
        await Assertions.Expect(stuck.Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "0");
        await Assertions.Expect(stuck.Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuetext", "0 of 1 locks OK, 1 stuck");
        await Assertions.Expect(stuck.Locator("[role=progressbar] span.bad")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#attention tbody tr")).ToHaveCountAsync(1);
        await s.ShotAsync("ui-overview.png");

        await page.GetByRole(AriaRole.Link, new() { Name = "Browse", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToHaveTextAsync("Scopes");
        await AssertLabelledAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "user.root", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToHaveTextAsync("user.root");
        await AssertLabelledAsync(page);
        await page.Locator("#dids tr[data-did='user.root:ui_cont'] a").ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync("ui_cont");
        await page.Locator("#content tr[data-did='user.root:ui_ds'] a").ClickAsync();

        // The dataset: whole on both RSEs, its three files, and its rules.
        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync("ui_ds");
        await Assertions.Expect(page.Locator("#dataset-replicas tr[data-rse='UI-A']")).ToContainTextAsync("3 / 3");
        await Assertions.Expect(page.Locator("#dataset-replicas tr[data-rse='UI-B']")).ToContainTextAsync("3 / 3");
        await Assertions.Expect(page.Locator("#files tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator($"#did-rules tr[data-rule-id='{f.KeepRule}']")).ToContainTextAsync("UI-B");
        await s.ShotAsync("ui-dataset.png");

        var file = f.Files[1];
        await page.Locator($"#files tr[data-did='user.root:{file.Name}'] a").ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync(file.Name);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(file.Adler32);
        var listed = (await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{"scope":"user.root","name":"{{file.Name}}"}],"all_states":true}""")).Single();
        foreach (var rse in new[] { "UI-A", "UI-B" })
        {
            var row = page.Locator($"#replicas tr[data-rse='{rse}']");
            await Assertions.Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("AVAILABLE");
            var pfn = listed.GetProperty("rses").GetProperty(rse)[0].GetString()!;
            await Assertions.Expect(row.Locator("td").Nth(2)).ToHaveTextAsync(pfn);
        }
        Assert.Contains(Path.Combine(f.PrefixA, file.HashPath), await page.Locator("#replicas tr[data-rse='UI-A'] td").Nth(2).TextContentAsync());
        await s.ShotAsync("ui-file-replicas.png");
        s.AssertClean();
    }

    [ChromiumFact]
    public async Task A_rule_shows_its_progress_is_extended_to_the_expiry_the_api_reports_and_another_is_deleted()
    {
        await using var s = await OpenAsync();
        var page = s.Page;
        await s.LoginAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Rules", Exact = true }).ClickAsync();
        var keep = page.Locator($"#rules tr[data-rule-id='{f.KeepRule}']");
        await Assertions.Expect(keep.Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Assertions.Expect(keep).ToContainTextAsync("3 of 3 locks OK");
        await Assertions.Expect(keep).ToContainTextAsync("OK");
        await AssertLabelledAsync(page);
        await s.ShotAsync("ui-rules.png");

        await keep.GetByRole(AriaRole.Link, new() { Name = $"Rule {f.KeepRule}" }).ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync(f.KeepRule);
        await Assertions.Expect(page.Locator("#locks tbody tr")).ToHaveCountAsync(3);
        var before = await page.Locator("#rule-expires").GetAttributeAsync("data-value");
        Assert.Equal((await f.Api.JsonAsync("GET", $"/rules/{f.KeepRule}")).GetProperty("expires_at").GetString(), before);

        // An answer the API refuses is shown as its message, and nothing changes.
        await page.FillAsync("#rule-lifetime", "6000");
        await page.SelectOptionAsync("#rule-lifetime-unit", new SelectOptionValue { Label = "weeks" });
        await page.ClickAsync("#rule-extend");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("lifetime must be between 1 second and 100 years");
        Assert.Equal(before, (await f.Api.JsonAsync("GET", $"/rules/{f.KeepRule}")).GetProperty("expires_at").GetString());

        var asked = DateTimeOffset.UtcNow;
        await page.FillAsync("#rule-lifetime", "30");
        await page.SelectOptionAsync("#rule-lifetime-unit", new SelectOptionValue { Label = "days" });
        await page.ClickAsync("#rule-extend");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("now expires 30 days from now");
        await Assertions.Expect(page.Locator("#rule-expires")).Not.ToHaveAttributeAsync("data-value", before!);
        var shown = (await page.Locator("#rule-expires").GetAttributeAsync("data-value"))!;
        Assert.Equal((await f.Api.JsonAsync("GET", $"/rules/{f.KeepRule}")).GetProperty("expires_at").GetString(), shown);
        var expires = RucioTime.Parse(shown);
        Assert.InRange(expires, asked.AddDays(30).AddSeconds(-2), DateTimeOffset.UtcNow.AddDays(30).AddSeconds(2));
        await Assertions.Expect(page.Locator("#rule-expires")).ToContainTextAsync(expires.UtcDateTime.ToString("yyyy-MM-dd HH:mm") + " UTC");
        await s.ShotAsync("ui-rule-extended.png");

        // Delete: Escape cancels the confirmation, and the rule stays; confirming removes it at once.
        await page.GotoAsync($"{f.Server.Url}/ui/#/rules/{f.DropRule}");
        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync(f.DropRule);
        await page.ClickAsync("#rule-delete");
        await Assertions.Expect(page.Locator("dialog#confirm")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#confirm-cancel")).ToBeFocusedAsync();
        await s.ShotAsync("ui-rule-delete-dialog.png");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("dialog#confirm")).ToBeHiddenAsync();
        Assert.Equal(f.DropRule, (await f.Api.JsonAsync("GET", $"/rules/{f.DropRule}")).GetProperty("id").GetString());

        await page.ClickAsync("#rule-delete");
        await page.ClickAsync("#confirm-ok");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync($"Rule {f.DropRule} was deleted");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("#/rules$"));
        await Assertions.Expect(page.Locator($"#rules tr[data-rule-id='{f.KeepRule}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"#rules tr[data-rule-id='{f.DropRule}']")).ToHaveCountAsync(0);
        await RawApi.AssertError(await f.Api.SendAsync("GET", $"/rules/{f.DropRule}"), 404, "RuleNotFound");
        s.AssertClean();
    }

    [ChromiumFact]
    public async Task Storage_usage_and_quota_charts_and_transfers_per_link_match_the_api()
    {
        await using var s = await OpenAsync();
        var page = s.Page;
        await s.LoginAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Storage", Exact = true }).ClickAsync();
        var chart = page.Locator("svg#usage-chart");
        await Assertions.Expect(chart).ToBeVisibleAsync();
        Assert.Equal("img", await chart.GetAttributeAsync("role"));
        foreach (var rse in new[] { "UI-A", "UI-B" })
        {
            var used = (await f.Api.StreamAsync("GET", $"/rses/{rse}/usage")).First(u => u.GetProperty("source").GetString() == "rucio").GetProperty("used").GetInt64();
            Assert.True(used > 0, $"{rse} stores nothing");
            await Assertions.Expect(chart.Locator($"rect.bar.used[data-label='{rse}']")).ToHaveAttributeAsync("data-value", used.ToString());
        }
        var widthA = await chart.Locator("rect.bar.used[data-label='UI-A']").EvaluateAsync<double>("e => e.getBoundingClientRect().width");
        Assert.True(widthA > 20, $"the UI-A bar is {widthA} px wide");
        var quota = page.Locator("svg#quota-chart");
        await Assertions.Expect(quota.Locator("line.limit[data-label='UI-A']")).ToHaveAttributeAsync("data-value", UiFixture.QuotaA.ToString());
        await Assertions.Expect(page.Locator("#rse-table tr[data-rse='UI-A']")).ToContainTextAsync("10.0 MB");
        await s.ShotAsync("ui-storage.png");

        await page.GetByRole(AriaRole.Link, new() { Name = "Transfers", Exact = true }).ClickAsync();
        var link = (await f.Api.JsonAsync("GET", "/ferry/transfers/links")).EnumerateArray()
            .Single(l => l.GetProperty("source").GetString() == "UI-A" && l.GetProperty("destination").GetString() == "UI-B");
        var row = page.Locator("#links tr[data-link='UI-A → UI-B']");
        await Assertions.Expect(row.Locator("td").Nth(2)).ToHaveTextAsync(link.GetProperty("done").GetInt64().ToString());
        Assert.Equal(3, link.GetProperty("done").GetInt64());
        await Assertions.Expect(page.Locator("svg#throughput-chart rect.bar[data-label='UI-A → UI-B']"))
            .ToHaveAttributeAsync("data-value", link.GetProperty("bytes_per_second").GetInt64().ToString());
        await s.ShotAsync("ui-transfers.png");
        s.AssertClean();
    }

    [ChromiumFact]
    public async Task A_task_shows_its_jobs_and_an_attempts_log()
    {
        await using var s = await OpenAsync();
        var page = s.Page;
        await s.LoginAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Tasks", Exact = true }).ClickAsync();
        var row = page.Locator($"#tasks tr[data-task-id='{f.TaskId}']");
        await Assertions.Expect(row.Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Assertions.Expect(row).ToContainTextAsync("2 of 2 jobs finished");
        await row.GetByRole(AriaRole.Link, new() { Name = f.TaskId.ToString(), Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#jobs tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#jobs tr[data-job='1']")).ToContainTextAsync("finished");
        await page.Locator("#attempts tbody tr").First.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^stdout") }).ClickAsync();
        await Assertions.Expect(page.Locator("#task-log")).ToContainTextAsync("hello from job");
        await s.ShotAsync("ui-task.png");
        s.AssertClean();
    }

    [ChromiumFact]
    public async Task A_refused_call_is_shown_as_its_message_and_an_ended_session_returns_to_the_login_and_back()
    {
        await using var s = await OpenAsync();
        var page = s.Page;
        await s.LoginAsync();
        await page.GotoAsync($"{f.Server.Url}/ui/#/rules/no-such-rule");
        await Assertions.Expect(page.Locator("#page-error")).ToContainTextAsync("RuleNotFound");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("RuleNotFound");

        // The token goes stale (as when it expires): the next call sends the user to the login, and back afterwards.
        await page.GotoAsync($"{f.Server.Url}/ui/#/storage");
        await Assertions.Expect(page.Locator("svg#usage-chart")).ToBeVisibleAsync();
        await page.EvaluateAsync("() => { const s = JSON.parse(sessionStorage.getItem('ferry.session')); s.token = 'expired-token'; sessionStorage.setItem('ferry.session', JSON.stringify(s)); }");
        await page.ClickAsync("#refresh");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("#/login"));
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("session has ended");
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('ferry.session')"));
        await s.ShotAsync("ui-session-ended.png");
        await page.FillAsync("#login-username", "root");
        await page.FillAsync("#login-password", FerryServer.RootPassword);
        await page.ClickAsync("#login-button");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("#/storage$"));
        await Assertions.Expect(page.Locator("svg#usage-chart")).ToBeVisibleAsync();

        await page.ClickAsync("#logout");
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("logged out");
        await Assertions.Expect(page.Locator("#nav")).ToBeHiddenAsync();
        s.AssertClean();
    }

    [ChromiumFact]
    public async Task The_logged_out_page_shows_no_session_controls_until_someone_logs_in()
    {
        await using var s = await OpenAsync();
        var page = s.Page;
        var session = new[] { page.GetByText("Signed in as"), page.Locator("#refresh"), page.Locator("#logout"), page.Locator("#auto-refresh"), page.Locator("#nav") };

        await page.GotoAsync(f.Server.Url + "/ui/");
        await Assertions.Expect(page.Locator("#login-button")).ToBeVisibleAsync();
        foreach (var control in session) await Assertions.Expect(control).ToBeHiddenAsync();
        await AssertHiddenMeansHiddenAsync(page);
        await s.ShotAsync("ui-login.png");

        await s.LoginAsync();
        foreach (var control in session) await Assertions.Expect(control).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync("root");

        await page.ClickAsync("#logout");
        await Assertions.Expect(page.Locator("#login-button")).ToBeVisibleAsync();
        foreach (var control in session) await Assertions.Expect(control).ToBeHiddenAsync();
        await AssertHiddenMeansHiddenAsync(page);
        s.AssertClean();
    }

    /// <summary>No stylesheet rule shows an element the page has marked hidden (a class's display overrides the attribute).</summary>
    private static async Task AssertHiddenMeansHiddenAsync(IPage page)
    {
        var shown = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('[hidden]')].filter(e => getComputedStyle(e).display !== 'none').map(e => e.id || e.outerHTML.slice(0, 80))");
        Assert.True(shown.Length == 0, $"marked hidden but displayed: {string.Join(", ", shown)}");
    }

    /// <summary>Every form control has a label a screen reader reads out.</summary>
    private static async Task AssertLabelledAsync(IPage page)
    {
        var unlabelled = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('main input, main select, header input')].filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.id || e.name || e.outerHTML)");
        Assert.True(unlabelled.Length == 0, $"unlabelled controls: {string.Join(", ", unlabelled)}");
    }

    private async Task<UiSession> OpenAsync()
    {
        await f.EnsureAsync();
        var context = await f.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        return new UiSession(f.Server, context, await context.NewPageAsync());
    }
}

/// <summary>One browser context (its own sessionStorage) and page, watching what the page fetches and logs.</summary>
internal sealed class UiSession : IAsyncDisposable
{
    private readonly FerryServer _server;
    private readonly IBrowserContext _context;
    private readonly List<string> _requests = [];
    private readonly List<string> _errors = [];

    public IPage Page { get; }

    public UiSession(FerryServer server, IBrowserContext context, IPage page)
    {
        (_server, _context, Page) = (server, context, page);
        page.Request += (_, r) => { lock (_requests) _requests.Add(r.Url); };
        page.PageError += (_, e) => { lock (_errors) _errors.Add("page error: " + e); };
        // A refused API call logs "Failed to load resource" by design; a script or policy failure must not happen.
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) lock (_errors) _errors.Add("console: " + m.Text); };
    }

    public async Task LoginAsync()
    {
        await Page.GotoAsync(_server.Url + "/ui/");
        await Page.FillAsync("#login-username", "root");
        await Page.FillAsync("#login-password", FerryServer.RootPassword);
        await Page.ClickAsync("#login-button");
        await Assertions.Expect(Page.Locator("main h1")).ToHaveTextAsync("Overview");
    }

    public async Task ShotAsync(string name)
    {
        var path = Artifacts.PathFor(name);
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 5000, $"screenshot {path} is too small");
    }

    /// <summary>Nothing was fetched from anywhere but the server, and no script failed.</summary>
    public void AssertClean()
    {
        lock (_requests)
        {
            var outside = _requests.Where(u => !u.StartsWith(_server.Url + "/", StringComparison.Ordinal)).Distinct().ToList();
            Assert.True(outside.Count == 0, $"the page fetched from outside the server: {string.Join(", ", outside)}");
            Assert.Contains(_requests, u => u.EndsWith("/ui/js/app.js", StringComparison.Ordinal));
        }
        lock (_errors) Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
