using Ferry.Functional.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Ferry.Functional.Tests.Agent;

/// <summary>Runs only where Debian's chromium is installed; under CI=true a missing chromium is a failure, not a skip.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Executable = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Executable) && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = $"{Executable} is not installed (apt-get install chromium); under CI=true this test runs and fails instead";
    }
}

/// <summary>The web page at / in headless chromium: request a dataset, watch its progress bar fill, read its log, remove it.</summary>
public sealed class WebPageTests
{
    [ChromiumFact]
    public async Task The_page_requests_shows_progress_and_logs_and_removes_a_dataset()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var prefix = await Site.AddPosixRseAsync(api, "PAGE-SRC");
        var files = await AgentData.DatasetAsync(api, "PAGE-SRC", prefix, "user.root", "page_ds", 4, _ => 2_000_000);
        await using var agent = await AgentProcess.StartAsync(server);

        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Executable, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        var resp = await page.GotoAsync(agent.Url + "/");
        Assert.Equal(200, resp!.Status);
        await Assertions.Expect(page.Locator("#server")).ToContainTextAsync("reachable");

        await page.FillAsync("#ds-name", "user.root:page_ds");
        await page.ClickAsync("#request-button");
        var row = page.Locator("tr[data-did='user.root:page_ds']");
        await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync("local", new() { Timeout = 60_000 });
        await Assertions.Expect(row.Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Assertions.Expect(row).ToContainTextAsync("4 / 4");
        AgentData.AssertLocal(agent.Dir, "user.root", "page_ds", files);

        await page.SelectOptionAsync("#log-name", "user.root:page_ds");
        await Assertions.Expect(page.Locator("#log")).ToContainTextAsync("complete: 4 files", new() { Timeout = 10_000 });

        // A malformed name gets its reason shown, not a broken page.
        await page.FillAsync("#ds-name", "no-scope-here");
        await page.ClickAsync("#request-button");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("bad_name");

        await row.Locator("button.cancel").ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        Assert.False(Directory.Exists(Path.Combine(agent.Dir, "user.root", "page_ds")));
        Assert.Empty(errors);
    }
}
