using System.Text.Json;
using Ferry.Functional.Tests.Agent;
using Ferry.Functional.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Ferry.Functional.Tests.Ui;

/// <summary>
/// One server with a small catalogue built through the API, and one headless chromium, shared by the UI tests.
/// Both start on first use, so a machine without chromium (outside CI) skips the tests without starting anything.
/// </summary>
public sealed class UiFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPlaywright? _playwright;

    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public List<TestFile> Files { get; private set; } = [];
    public string PrefixA { get; private set; } = "";
    /// <summary>ui_ds on UI-B for a day (OK, so a transfer crossed the link UI-A -> UI-B).</summary>
    public string KeepRule { get; private set; } = "";
    /// <summary>ui_ds on UI-A or UI-B for an hour: the one a test deletes (PinRule keeps the UI-A copies, so other tests see them).</summary>
    public string DropRule { get; private set; } = "";
    /// <summary>ui_stuck (one file whose only replica is UNAVAILABLE) on UI-B: STUCK, for want of a source.</summary>
    public string StuckRule { get; private set; } = "";
    public long TaskId { get; private set; }
    public const long QuotaA = 10_000_000;

    public async Task EnsureAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_playwright is not null) return;
            Server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_TASK_RETRY_SECONDS"] = "0" });
            Api = new RawApi(Server);
            await BuildCatalogueAsync();
            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumFactAttribute.Executable, Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic"],
            });
            // The machine running the suite is shared and busy: give the page time to answer.
            Assertions.SetDefaultExpectTimeout(20_000);
        }
        finally { _gate.Release(); }
    }

    private async Task BuildCatalogueAsync()
    {
        PrefixA = await Site.AddPosixRseAsync(Api, "UI-A");
        await Site.AddPosixRseAsync(Api, "UI-B");
        Files = Site.MakeFiles("user.root", "ui_ds", 3, i => 200_000 + 1000 * i);
        await Site.UploadAsync(Api, "UI-A", PrefixA, "ui_ds", Files);
        Assert.Equal(201, (int)(await Api.SendAsync("POST", "/dids/user.root/ui_cont", """{"type":"CONTAINER"}""")).StatusCode);
        Assert.Equal(201, (int)(await Api.SendAsync("POST", "/dids/user.root/ui_cont/dids", """{"dids":[{"scope":"user.root","name":"ui_ds"}]}""")).StatusCode);
        Assert.Equal(201, (int)(await Api.SendAsync("POST", "/accounts/root/limits/local/UI-A", $$"""{"bytes": {{QuotaA}}}""")).StatusCode);
        KeepRule = await Site.AddRuleAsync(Api, "user.root", "ui_ds", "UI-B", lifetime: 86400);
        await Site.AddRuleAsync(Api, "user.root", "ui_ds", "UI-A");
        DropRule = await Site.AddRuleAsync(Api, "user.root", "ui_ds", "UI-A|UI-B", lifetime: 3600);
        await Site.WaitForRuleAsync(Api, KeepRule, "OK", TimeSpan.FromSeconds(90));

        Assert.Equal(201, (int)(await Api.SendAsync("POST", "/dids/user.root/ui_stuck", """{"type":"DATASET"}""")).StatusCode);
        using (var lost = await Api.SendAsync("POST", "/replicas", """{"rse":"UI-A","files":[{"scope":"user.root","name":"ui_stuck_0.dat","bytes":10,"adler32":"0000000a","state":"U"}]}"""))
            Assert.True(201 == (int)lost.StatusCode, await lost.Content.ReadAsStringAsync());
        Assert.Equal(201, (int)(await Api.SendAsync("POST", "/dids/user.root/ui_stuck/dids", """{"dids":[{"scope":"user.root","name":"ui_stuck_0.dat"}]}""")).StatusCode);
        StuckRule = await Site.AddRuleAsync(Api, "user.root", "ui_stuck", "UI-B");
        await Site.WaitForRuleAsync(Api, StuckRule, "STUCK", TimeSpan.FromSeconds(30));

        using var submit = await Api.SendAsync("POST", "/ferry/tasks", JsonSerializer.Serialize(new
        {
            input = "user.root:ui_ds", files_per_job = 2, output_scope = "user.root", output_dataset = "ui_out", output_rse = "UI-A",
            command = "echo hello from job {job}; cat {inputs} > {output}/merged.dat",
        }));
        var text = await submit.Content.ReadAsStringAsync();
        Assert.True(201 == (int)submit.StatusCode, text);
        TaskId = JsonDocument.Parse(text).RootElement.GetProperty("task_id").GetInt64();
        await Site.WaitUntilAsync(async () => (await Api.JsonAsync("GET", $"/ferry/tasks/{TaskId}")).GetProperty("status").GetString() is "finished" or "done",
            TimeSpan.FromSeconds(120), $"task {TaskId} to finish");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_playwright is null) return;
        await Browser.DisposeAsync();
        _playwright.Dispose();
        Api.Dispose();
        await Server.DisposeAsync();
    }
}
