using System.Text.Json;
using Ferry.Functional.Tests.Agent;
using Ferry.Functional.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Ferry.Functional.Tests.Rules;

/// <summary>
/// The catalogue `ferry usage report` is checked against: account 'reporter' with limits on three RSEs and rules on
/// three datasets of known sizes, one of them replicated to a second RSE.
/// </summary>
public sealed class UsageReportFixture : IAsyncLifetime
{
    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;
    public const long Big = 2 * 1_000_000, Mid = 3 * 300_000, Small = 50_000;

    public async Task InitializeAsync()
    {
        Server = await FerryServer.StartAsync();
        Api = new RawApi(Server);
        var a = await Site.AddPosixRseAsync(Api, "UR-A");
        await Site.AddPosixRseAsync(Api, "UR-B");
        await Site.AddPosixRseAsync(Api, "UR-C");
        await Api.SendAsync("POST", "/accounts/reporter", """{"type":"USER"}""");
        foreach (var (rse, bytes) in new[] { ("UR-A", 8_000_000L), ("UR-B", -1L), ("UR-C", 5_000_000L) })
            Assert.Equal(201, (int)(await Api.SendAsync("POST", $"/accounts/reporter/limits/local/{rse}", $$"""{"bytes":{{bytes}}}""")).StatusCode);
        await Site.UploadAsync(Api, "UR-A", a, "ur_big", Site.MakeFiles("user.root", "ur_big", 2, _ => 1_000_000));
        await Site.UploadAsync(Api, "UR-A", a, "ur_mid", Site.MakeFiles("user.root", "ur_mid", 3, _ => 300_000));
        await Site.UploadAsync(Api, "UR-A", a, "ur_small", Site.MakeFiles("user.root", "ur_small", 1, _ => 50_000));
        foreach (var (ds, rse) in new[] { ("ur_big", "UR-A"), ("ur_mid", "UR-A"), ("ur_small", "UR-A"), ("ur_mid", "UR-B") })
        {
            var id = (await Api.JsonAsync("POST", "/rules/", $$"""{"dids":[{"scope":"user.root","name":"{{ds}}"}],"copies":1,"rse_expression":"{{rse}}","account":"reporter"}"""))[0].GetString()!;
            await Site.WaitForRuleAsync(Api, id, "OK", TimeSpan.FromSeconds(60));
        }
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
    }
}

public sealed class UsageReportTests(UsageReportFixture f) : IClassFixture<UsageReportFixture>
{
    private static readonly string[] Rses = ["UR-A", "UR-B", "UR-C"];

    [Fact]
    public async Task Json_report_has_each_rses_limit_usage_and_top_datasets_as_created()
    {
        var doc = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "usage", "report", "--account", "reporter", "--top", "2", "--json")).RootElement;
        Assert.Equal("reporter", doc.GetProperty("account").GetString());
        var rses = doc.GetProperty("rses").EnumerateArray().ToDictionary(r => r.GetProperty("rse").GetString()!);
        Assert.Equal(Rses, rses.Keys.ToArray());

        var a = rses["UR-A"];
        Assert.Equal(UsageReportFixture.Big + UsageReportFixture.Mid + UsageReportFixture.Small, a.GetProperty("bytes").GetInt64());
        Assert.Equal(6, a.GetProperty("files").GetInt64());
        Assert.Equal(8_000_000, a.GetProperty("bytes_limit").GetInt64());
        Assert.Equal([("ur_big", UsageReportFixture.Big, 2L), ("ur_mid", UsageReportFixture.Mid, 3L)], Datasets(a));
        var b = rses["UR-B"];
        Assert.Equal(UsageReportFixture.Mid, b.GetProperty("bytes").GetInt64());
        Assert.Equal(long.MaxValue, b.GetProperty("bytes_limit").GetInt64());
        Assert.Equal([("ur_mid", UsageReportFixture.Mid, 3L)], Datasets(b));
        var c = rses["UR-C"];
        Assert.Equal(0, c.GetProperty("bytes").GetInt64());
        Assert.Equal(5_000_000, c.GetProperty("bytes_limit").GetInt64());
        Assert.Empty(Datasets(c));

        // The same bytes as the dialect's own usage listing.
        var usage = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "account", "usage", "reporter", "--json")).RootElement.EnumerateArray()
            .ToDictionary(u => u.GetProperty("rse").GetString()!, u => u.GetProperty("bytes").GetInt64());
        Assert.Equal(usage["UR-A"], a.GetProperty("bytes").GetInt64());
        Assert.Equal(usage["UR-B"], b.GetProperty("bytes").GetInt64());

        var onlyC = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "usage", "report", "--account", "reporter", "--rse-expr", "UR-C", "--json")).RootElement;
        Assert.Equal(["UR-C"], onlyC.GetProperty("rses").EnumerateArray().Select(r => r.GetProperty("rse").GetString()!).ToArray());
    }

    private static List<(string, long, long)> Datasets(JsonElement rse) => rse.GetProperty("datasets").EnumerateArray()
        .Select(d => (d.GetProperty("name").GetString()!, d.GetProperty("bytes").GetInt64(), d.GetProperty("files").GetInt64())).ToList();

    [Fact]
    public async Task Csv_and_table_carry_the_same_numbers()
    {
        var csv = (await Infrastructure.Cli.OkAsync(f.Server, "usage", "report", "--account", "reporter", "--csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("account,rse,bytes_limit,limit_set,bytes,files,rank,scope,name,dataset_bytes,dataset_files", csv[0]);
        Assert.Equal([
            "reporter,UR-A,8000000,true,2950000,6,1,user.root,ur_big,2000000,2",
            "reporter,UR-A,8000000,true,2950000,6,2,user.root,ur_mid,900000,3",
            "reporter,UR-A,8000000,true,2950000,6,3,user.root,ur_small,50000,1",
            $"reporter,UR-B,{long.MaxValue},true,900000,3,1,user.root,ur_mid,900000,3",
            "reporter,UR-C,5000000,true,0,0,,,,,",
        ], csv[1..]);

        var table = await Infrastructure.Cli.OkAsync(f.Server, "usage", "report", "--account", "reporter");
        foreach (var s in new[] { "UR-A", "UR-B", "UR-C", "user.root:ur_big", "2.8 MiB", "7.6 MiB", "unlimited", "36.9%" }) Assert.Contains(s, table);
    }

    [Theory]
    [InlineData("Account 'nobody' does not exist", "usage", "report", "--account", "nobody")]
    [InlineData("selects no RSE", "usage", "report", "--account", "reporter", "--rse-expr", "NO-SUCH-RSE")]
    [InlineData("choose one of --json, --csv and --html", "usage", "report", "--account", "reporter", "--json", "--csv")]
    [InlineData("--top must be between 0 and 1000", "usage", "report", "--account", "reporter", "--top", "-3")]
    public async Task Bad_input_is_one_line_and_exit_2(string message, params string[] args)
    {
        var r = await Infrastructure.Cli.RunAsync(f.Server, args);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        Assert.Contains(message, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [ChromiumFact]
    public async Task Html_report_renders_in_chromium_with_bars_proportional_to_the_bytes_and_fetches_nothing()
    {
        var file = Path.Combine(TempDirs.Create("usage-html"), "report.html");
        await Infrastructure.Cli.OkAsync(f.Server, "usage", "report", "--account", "reporter", "--top", "2", "--html", file);

        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Executable, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1000, Height = 700 } });
        var requests = new List<string>();
        var errors = new List<string>();
        page.Request += (_, r) => requests.Add(r.Url);
        page.PageError += (_, e) => errors.Add(e);
        var url = new Uri(file).AbsoluteUri;
        await page.GotoAsync(url);

        // One bar per RSE, lengths in the ratio of the bytes used; limits drawn where they are finite.
        var bars = page.Locator("#usage-chart rect.bar");
        Assert.Equal(3, await bars.CountAsync());
        Assert.Equal(Rses, await bars.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.label)"));
        var widths = await bars.EvaluateAllAsync<double[]>("els => els.map(e => e.getBoundingClientRect().width)");
        Assert.True(widths[0] > 100, $"the UR-A bar is {widths[0]} px wide");
        Assert.Equal((double)UsageReportFixture.Mid / (UsageReportFixture.Big + UsageReportFixture.Mid + UsageReportFixture.Small), widths[1] / widths[0], 2);
        Assert.Equal(0, widths[2]);
        var limits = page.Locator("#usage-chart rect.limit");
        Assert.Equal(["UR-A", "UR-C"], await limits.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.label)"));
        var limitWidths = await limits.EvaluateAllAsync<double[]>("els => els.map(e => e.getBoundingClientRect().width)");
        Assert.Equal(5.0 / 8.0, limitWidths[1] / limitWidths[0], 2);
        Assert.Equal(2_950_000.0 / 8_000_000, widths[0] / limitWidths[0], 2);

        // Top datasets of UR-A: two bars (--top 2), the biggest first, in the ratio of their bytes.
        var datasets = page.Locator("section[data-rse='UR-A'] rect.bar.dataset");
        Assert.Equal(["user.root:ur_big", "user.root:ur_mid"], await datasets.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.label)"));
        var dw = await datasets.EvaluateAllAsync<double[]>("els => els.map(e => e.getBoundingClientRect().width)");
        Assert.Equal((double)UsageReportFixture.Mid / UsageReportFixture.Big, dw[1] / dw[0], 2);
        Assert.Equal(1, await page.Locator("section[data-rse='UR-B'] rect.bar.dataset").CountAsync());
        Assert.Equal(0, await page.Locator("section[data-rse='UR-C'] rect.bar.dataset").CountAsync());
        await Assertions.Expect(page.Locator("section[data-rse='UR-C']")).ToContainTextAsync("No dataset locked here");

        var shot = Artifacts.PathFor("usage-report.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        Assert.True(new FileInfo(shot).Length > 5000, $"screenshot {shot} is too small");
        Assert.Equal([url], requests.Distinct().ToArray());
        Assert.Empty(errors);
    }
}
