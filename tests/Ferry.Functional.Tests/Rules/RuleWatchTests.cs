using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Rules;

/// <summary>One transfer attempt, so a corrupt source makes a lock STUCK at once (the repairer waits its default 10 min).</summary>
public sealed class WatchServerFixture : IAsyncLifetime
{
    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_TRANSFER_ATTEMPTS"] = "1" });
        Api = new RawApi(Server);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>`ferry rule watch` against real replication between posix RSEs: OK, STUCK, timeout, JSON lines, bad input.</summary>
public sealed class RuleWatchTests(WatchServerFixture f) : IClassFixture<WatchServerFixture>
{
    private static List<JsonElement> JsonLines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static string Event(JsonElement line) => line.GetProperty("event").GetString()!;

    [Fact]
    public async Task Wait_exits_0_once_a_real_replication_completes_and_the_json_lines_report_its_bytes()
    {
        var src = await Site.AddPosixRseAsync(f.Api, "WOK-SRC");
        var dst = await Site.AddPosixRseAsync(f.Api, "WOK-DST");
        var files = Site.MakeFiles("user.root", "wok", 4, i => 1_500_000 + i * 1000);
        await Site.UploadAsync(f.Api, "WOK-SRC", src, "wok_ds", files);
        var id = await Site.AddRuleAsync(f.Api, "user.root", "wok_ds", "WOK-DST");

        var r = await Infrastructure.Cli.RunAsync(f.Server, "rule", "watch", id, "--wait", "--timeout", "2m", "--interval", "1s", "--json");
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        var lines = JsonLines(r.Stdout);
        Assert.All(lines, l => Assert.Contains(Event(l), new[] { "progress", "result" }));
        var result = lines[^1];
        Assert.Equal("result", Event(result));
        Assert.Equal("ok", result.GetProperty("result").GetString());
        Assert.Equal(0, result.GetProperty("exit_code").GetInt32());
        Assert.Equal(1, result.GetProperty("ok").GetInt32());
        var last = lines.Last(l => Event(l) == "progress");
        Assert.Equal(id, last.GetProperty("rule_id").GetString());
        Assert.Equal("OK", last.GetProperty("state").GetString());
        Assert.Equal(4, last.GetProperty("locks_ok_cnt").GetInt32());
        Assert.Equal(0, last.GetProperty("locks_replicating_cnt").GetInt32());
        Assert.Equal(files.Sum(x => (long)x.Content.Length), last.GetProperty("bytes").GetInt64());
        Assert.Equal(last.GetProperty("bytes").GetInt64(), last.GetProperty("bytes_ok").GetInt64());
        // Every progress line before the last was not yet complete: a line is printed only when something changed.
        Assert.All(lines.Where(l => Event(l) == "progress").SkipLast(1), l => Assert.NotEqual("OK", l.GetProperty("state").GetString()));

        // The watch said OK because the bytes really are on the destination, verified.
        foreach (var file in files)
            Assert.Equal(Site.Sha(file.Content), Site.Sha(await File.ReadAllBytesAsync(Path.Combine(dst, file.HashPath))));
        var rule = await f.Api.JsonAsync("GET", $"/rules/{id}");
        Assert.Equal("OK", rule.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Account_watch_covers_only_that_accounts_rules_in_one_request_per_poll()
    {
        var src = await Site.AddPosixRseAsync(f.Api, "WACC-SRC");
        await Site.AddPosixRseAsync(f.Api, "WACC-DST");
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/watcher", """{"type":"USER"}""")).StatusCode);
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/watcher/limits/local/WACC-DST", """{"bytes":-1}""")).StatusCode);
        await Site.UploadAsync(f.Api, "WACC-SRC", src, "wacc_a", Site.MakeFiles("user.root", "wacc_a", 2, _ => 300_000));
        await Site.UploadAsync(f.Api, "WACC-SRC", src, "wacc_b", Site.MakeFiles("user.root", "wacc_b", 3, _ => 200_000));
        var ids = new List<string>();
        foreach (var ds in new[] { "wacc_a", "wacc_b" })
            ids.Add((await f.Api.JsonAsync("POST", "/rules/", $$"""{"dids":[{"scope":"user.root","name":"{{ds}}"}],"copies":1,"rse_expression":"WACC-DST","account":"watcher"}"""))[0].GetString()!);

        var r = await Infrastructure.Cli.RunAsync(f.Server, "rule", "watch", "--account", "watcher", "--wait", "--timeout", "2m", "--interval", "1s", "--json");
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        var lines = JsonLines(r.Stdout);
        var seen = lines.Where(l => Event(l) == "progress").Select(l => l.GetProperty("rule_id").GetString()!).Distinct().Order().ToList();
        Assert.Equal(ids.Order().ToList(), seen);
        Assert.Equal(2, lines[^1].GetProperty("rules").GetInt32());

        // The endpoint behind it: one call for both rules, with per-state bytes, and unknown ids listed, not fatal.
        var progress = await f.Api.JsonAsync("POST", "/ferry/rules/progress", $$"""{"rule_ids":["{{ids[0]}}","{{ids[1]}}","0123456789abcdef0123456789abcdef"]}""");
        Assert.Equal(2, progress.GetProperty("rules").GetArrayLength());
        Assert.Equal(["0123456789abcdef0123456789abcdef"], progress.GetProperty("missing").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var b = progress.GetProperty("rules").EnumerateArray().Single(x => x.GetProperty("rule_id").GetString() == ids[1]);
        Assert.Equal(600_000, b.GetProperty("bytes").GetInt64());
        Assert.Equal(3, b.GetProperty("locks_ok_cnt").GetInt32());
    }

    [Fact]
    public async Task Wait_exits_5_when_a_rule_is_stuck_even_beside_an_OK_one()
    {
        var src = await Site.AddPosixRseAsync(f.Api, "WSTUCK-SRC");
        await Site.AddPosixRseAsync(f.Api, "WSTUCK-DST");
        var files = Site.MakeFiles("user.root", "wstuck", 2, _ => 8192);
        await Site.UploadAsync(f.Api, "WSTUCK-SRC", src, "wstuck_ds", files);
        var good = Site.MakeFiles("user.root", "wgood", 1, _ => 8192);
        await Site.UploadAsync(f.Api, "WSTUCK-SRC", src, "wgood_ds", good);
        await File.WriteAllBytesAsync(Path.Combine(src, files[0].HashPath), new byte[8192]);      // same size, wrong bytes: the only source is corrupt
        var stuck = await Site.AddRuleAsync(f.Api, "user.root", "wstuck_ds", "WSTUCK-DST");
        var ok = await Site.AddRuleAsync(f.Api, "user.root", "wgood_ds", "WSTUCK-DST");

        var r = await Infrastructure.Cli.RunAsync(f.Server, "rule", "watch", ok, stuck, "--wait", "--interval", "1s");
        Assert.True(r.ExitCode == 5, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        Assert.Contains(stuck, r.Stderr);
        Assert.Contains("STUCK", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains($"{stuck} user.root:wstuck_ds STUCK", r.Stdout);
        var rule = await f.Api.JsonAsync("GET", $"/rules/{stuck}");
        Assert.Equal("STUCK", rule.GetProperty("state").GetString());
        Assert.Equal(1, rule.GetProperty("locks_stuck_cnt").GetInt32());
    }

    /// <summary>A destination that accepts connections and never answers: a transfer there hangs far longer than a watch waits.</summary>
    private async Task<string> HangingRuleAsync(string stem, TcpListener silent)
    {
        var src = await Site.AddPosixRseAsync(f.Api, $"{stem}-SRC");
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", $"/rses/{stem}-SILENT")).StatusCode);
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", $"/rses/{stem}-SILENT/protocols/http", JsonSerializer.Serialize(new
        {
            hostname = "127.0.0.1", port = ((IPEndPoint)silent.LocalEndpoint).Port, prefix = "/data/",
            domains = new { lan = new { read = 1, write = 1, delete = 1 }, wan = new { read = 1, write = 1, delete = 1 } },
        }))).StatusCode);
        var ds = $"{stem.ToLowerInvariant()}_ds";
        await Site.UploadAsync(f.Api, $"{stem}-SRC", src, ds, Site.MakeFiles("user.root", stem.ToLowerInvariant(), 1, _ => 50_000));
        return await Site.AddRuleAsync(f.Api, "user.root", ds, $"{stem}-SILENT");
    }

    private static (TcpListener, List<TcpClient>) SilentServer()
    {
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<TcpClient>();
        _ = Task.Run(async () => { while (true) held.Add(await silent.AcceptTcpClientAsync()); });
        return (silent, held);
    }

    [Fact]
    public async Task Wait_exits_4_on_timeout_while_the_rule_is_still_replicating()
    {
        var (silent, held) = SilentServer();
        var id = await HangingRuleAsync("WTIME", silent);

        var clock = Stopwatch.StartNew();
        var r = await Infrastructure.Cli.RunAsync(f.Server, "rule", "watch", id, "--wait", "--timeout", "3s", "--interval", "1s", "--json");
        clock.Stop();
        Assert.True(r.ExitCode == 4, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        Assert.InRange(clock.Elapsed.TotalSeconds, 3, 30);
        var result = JsonLines(r.Stdout)[^1];
        Assert.Equal("timeout", result.GetProperty("result").GetString());
        Assert.Equal(4, result.GetProperty("exit_code").GetInt32());
        Assert.Equal(1, result.GetProperty("replicating").GetInt32());
        Assert.Equal("REPLICATING", (await f.Api.JsonAsync("GET", $"/rules/{id}")).GetProperty("state").GetString());
        foreach (var c in held) c.Dispose();
        silent.Stop();
    }

    [Fact]
    public async Task Wait_exits_1_when_a_watched_rule_is_deleted()
    {
        var (silent, held) = SilentServer();
        var id = await HangingRuleAsync("WGONE", silent);
        // The rule goes only once the watch has reported it (a slow CLI start must not see it gone from the first poll).
        var output = new System.Text.StringBuilder();
        using var watch = Infrastructure.ChildProcess.Start(Infrastructure.Cli.StartInfo(["rule", "watch", id, "--wait", "--interval", "1s", "--json"], f.Server.Home,
            new Dictionary<string, string> { ["FERRY_URL"] = f.Server.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = Infrastructure.FerryServer.RootPassword }), output);
        string Output() { lock (output) return output.ToString(); }
        await Infrastructure.Site.WaitUntilAsync(() => Task.FromResult(Output().Contains(id)), TimeSpan.FromSeconds(60), "the watch's first report");
        Assert.False(watch.HasExited, "the watch ended before the rule was deleted");
        Assert.Equal(200, (int)(await f.Api.SendAsync("DELETE", $"/rules/{id}?immediate=true", "{}")).StatusCode);
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await watch.WaitForExitAsync(cts.Token);
        watch.WaitForExit();                            // drains the redirected output
        Assert.True(watch.ExitCode == 1, $"exit {watch.ExitCode}\n{Output()}");
        var lines = JsonLines(string.Join('\n', Output().Split('\n').Where(l => l.TrimStart().StartsWith('{'))));
        Assert.Equal(id, lines.Single(l => Event(l) == "gone").GetProperty("rule_id").GetString());
        Assert.Equal("gone", lines[^1].GetProperty("result").GetString());
        foreach (var c in held) c.Dispose();
        silent.Stop();
    }

    [Theory]
    [InlineData("no rule with id 0123456789abcdef0123456789abcdef", "rule", "watch", "0123456789abcdef0123456789abcdef", "--wait")]
    [InlineData("Cannot read duration '7x'", "rule", "watch", "0123456789abcdef0123456789abcdef", "--wait", "--timeout", "7x")]
    [InlineData("--timeout needs --wait", "rule", "watch", "0123456789abcdef0123456789abcdef", "--timeout", "5s")]
    [InlineData("give rule ids or --account", "rule", "watch", "--wait")]
    [InlineData("Account 'nobody-here' does not exist", "rule", "watch", "--account", "nobody-here")]
    public async Task Bad_input_is_one_line_and_exit_2(string message, params string[] args)
    {
        var r = await Infrastructure.Cli.RunAsync(f.Server, args);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        Assert.Contains(message, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
