using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.SitePolicies;

/// <summary>
/// Reads from a TAPE RSE go through its staging buffer (RSE attribute staging_buffer, a DISK RSE): the conveyor copies
/// the file to the buffer (verified), registers it AVAILABLE with a tombstone, then transfers from the buffer. The
/// server runs with a short staging lifetime so the reaper's removal of the staged copies is seen too.
/// </summary>
public sealed class TapeStagingTests : IAsyncLifetime
{
    private FerryServer _server = null!;
    private RawApi _api = null!;

    public async Task InitializeAsync()
    {
        _server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_STAGING_LIFETIME_SECONDS"] = "20" });
        _api = new RawApi(_server);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<string> AddTapeAsync(string name)
    {
        var prefix = TempDirs.Create(name.ToLowerInvariant());
        using (var add = await _api.SendAsync("POST", $"/rses/{name}", """{"rse_type":"TAPE"}""")) Assert.Equal(201, (int)add.StatusCode);
        var protocol = JsonSerializer.Serialize(new
        {
            hostname = "localhost", port = 0, prefix, impl = "rucio.rse.protocols.posix.Default",
            domains = new { lan = new { read = 1, write = 1, delete = 1 }, wan = new { read = 1, write = 1, delete = 1 } },
        });
        using (var p = await _api.SendAsync("POST", $"/rses/{name}/protocols/file", protocol)) Assert.Equal(201, (int)p.StatusCode);
        return prefix;
    }

    private Task<HttpResponseMessage> SetBuffer(string rse, string buffer) =>
        _api.SendAsync("POST", $"/rses/{rse}/attr/staging_buffer", JsonSerializer.Serialize(new { value = buffer }));

    [Fact]
    public async Task A_file_only_on_tape_reaches_disk_through_the_buffer_which_the_reaper_clears_later()
    {
        var tape = await AddTapeAsync("STG-TAPE");
        await AddTapeAsync("STG-TAPE2");
        var buffer = await Site.AddPosixRseAsync(_api, "STG-BUF");
        var dest = await Site.AddPosixRseAsync(_api, "STG-DST");

        // A buffer must exist and be DISK, and only a TAPE RSE takes one; refused with a message, nothing set.
        using (var r = await SetBuffer("STG-TAPE", "NO-SUCH-RSE")) Assert.Contains("there is no RSE 'NO-SUCH-RSE'", await RawApi.AssertError(r, 400, "InvalidObject"));
        using (var r = await SetBuffer("STG-TAPE", "STG-TAPE2")) Assert.Contains("a staging buffer must be a DISK RSE", await RawApi.AssertError(r, 400, "InvalidObject"));
        using (var r = await SetBuffer("STG-DST", "STG-BUF")) Assert.Contains("only TAPE RSEs stage reads", await RawApi.AssertError(r, 400, "InvalidObject"));
        Assert.False((await _api.JsonAsync("GET", "/rses/STG-TAPE/attr/")).TryGetProperty("staging_buffer", out _));
        using (var r = await SetBuffer("STG-TAPE", "STG-BUF")) Assert.Equal(201, (int)r.StatusCode);

        var files = Site.MakeFiles("user.root", "stg", 3, _ => 5000);
        await Site.UploadAsync(_api, "STG-TAPE", tape, "stg_ds", files);
        // What a kill -9 mid-staging leaves on the buffer: a temporary file (killed while copying), and a renamed
        // file that was never registered (killed between the rename and the catalogue). Both are staged over.
        var part = Path.Combine(buffer, files[0].HashPath + ".ferry.part");
        Directory.CreateDirectory(Path.GetDirectoryName(part)!);
        await File.WriteAllBytesAsync(part, new byte[1234]);
        var unregistered = Path.Combine(buffer, files[1].HashPath);
        Directory.CreateDirectory(Path.GetDirectoryName(unregistered)!);
        await File.WriteAllBytesAsync(unregistered, new byte[5000]);

        await Site.WaitForRuleAsync(_api, await Site.AddRuleAsync(_api, "user.root", "stg_ds", "STG-DST"), "OK", TimeSpan.FromSeconds(60));

        var replicas = await _api.StreamAsync("POST", "/replicas/list", JsonSerializer.Serialize(new
            { dids = new[] { new { scope = "user.root", name = "stg_ds" } }, all_states = true }));
        Assert.Equal(3, replicas.Count);
        foreach (var file in files)
        {
            var rep = replicas.Single(x => x.GetProperty("name").GetString() == file.Name);
            Assert.Equal("AVAILABLE", rep.GetProperty("states").GetProperty("STG-BUF").GetString());
            Assert.Equal("AVAILABLE", rep.GetProperty("states").GetProperty("STG-DST").GetString());
            Assert.Equal(file.Adler32, rep.GetProperty("adler32").GetString());
            var onDest = await File.ReadAllBytesAsync(Path.Combine(dest, file.HashPath));
            Assert.Equal(file.Adler32, new TestFile(file.Scope, file.Name, onDest).Adler32);
            Assert.Equal(file.Content, await File.ReadAllBytesAsync(Path.Combine(buffer, file.HashPath)));
            Assert.Contains($"Staged user.root:{file.Name} from tape STG-TAPE to buffer STG-BUF: 5000 bytes, adler32 {file.Adler32} verified", _server.Log);
        }
        Assert.False(File.Exists(part), "the staging copy replaced the temporary file a killed attempt left");

        // The destination's copies came from the buffer, never straight from tape.
        var links = (await _api.JsonAsync("GET", "/ferry/transfers/links")).EnumerateArray().ToList();
        Assert.Contains(links, l => l.GetProperty("source").GetString() == "STG-BUF" && l.GetProperty("destination").GetString() == "STG-DST" && l.GetProperty("done").GetInt64() == 3);
        Assert.DoesNotContain(links, l => l.GetProperty("source").GetString() == "STG-TAPE");

        // The staged copies carry a tombstone: once their lifetime (20 s here) passed, the reaper removes them; tape and destination stay.
        await Site.WaitUntilAsync(() => Task.FromResult(files.All(x => !File.Exists(Path.Combine(buffer, x.HashPath)))), TimeSpan.FromSeconds(90),
            "the reaper to remove the staged copies");
        Assert.All(files, x => Assert.True(File.Exists(Path.Combine(tape, x.HashPath)) && File.Exists(Path.Combine(dest, x.HashPath))));
        var after = await _api.StreamAsync("POST", "/replicas/list", JsonSerializer.Serialize(new
            { dids = new[] { new { scope = "user.root", name = "stg_ds" } }, all_states = true }));
        Assert.All(after, x => Assert.False(x.GetProperty("states").TryGetProperty("STG-BUF", out _), x.ToString()));
    }
    [Fact]
    public async Task A_kill_9_in_the_middle_of_staging_recovers_after_the_restart()
    {
        var tape = await AddTapeAsync("KILL-TAPE");
        var buffer = await Site.AddPosixRseAsync(_api, "KILL-BUF");
        var dest = await Site.AddPosixRseAsync(_api, "KILL-DST");
        using (var r = await SetBuffer("KILL-TAPE", "KILL-BUF")) Assert.Equal(201, (int)r.StatusCode);
        var file = Site.MakeFiles("user.root", "kill", 1, _ => 4 << 20)[0];
        await Site.UploadAsync(_api, "KILL-TAPE", tape, "kill_ds", [file]);

        // The tape copy becomes a FIFO: the conveyor's staging read then gets exactly the bytes the test feeds it,
        // so the server can be killed while the buffer holds a half-written temporary file.
        var onTape = Path.Combine(tape, file.HashPath);
        File.Delete(onTape);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [onTape])!) await mkfifo.WaitForExitAsync();
        using var killed = new CancellationTokenSource();
        var feeder = Task.Run(async () =>
        {
            await using var fifo = new FileStream(onTape, FileMode.Open, FileAccess.Write, FileShare.Read, 1);
            await fifo.WriteAsync(file.Content.AsMemory(0, 1 << 20));
            await fifo.FlushAsync();
            // Hold the pipe open: the reader waits for the rest until the kill.
            try { await Task.Delay(TimeSpan.FromMinutes(2), killed.Token); } catch (OperationCanceledException) { }
        });
        var ruleId = await Site.AddRuleAsync(_api, "user.root", "kill_ds", "KILL-DST");
        var part = Path.Combine(buffer, file.HashPath + ".ferry.part");
        await Site.WaitUntilAsync(() => Task.FromResult(File.Exists(part) && new FileInfo(part).Length >= 1 << 20), TimeSpan.FromSeconds(60),
            "staging to write the first MiB to the buffer's temporary file");

        _server.Kill();
        Assert.True(new FileInfo(part).Length < file.Content.Length, "killed mid-staging");
        Assert.False(File.Exists(Path.Combine(dest, file.HashPath)));
        await killed.CancelAsync();
        try { await feeder; } catch (IOException) { } // the reader is gone: broken pipe

        File.Delete(onTape);
        await File.WriteAllBytesAsync(onTape, file.Content);
        var before = _server.Log.Length;
        await _server.StartProcessAsync();
        await Site.WaitForRuleAsync(_api, ruleId, "OK", TimeSpan.FromSeconds(90));
        Assert.Equal(file.Content, await File.ReadAllBytesAsync(Path.Combine(dest, file.HashPath)));
        Assert.False(File.Exists(part), "the staging after the restart replaced the half-written temporary file");
        Assert.Contains($"Staged user.root:{file.Name} from tape KILL-TAPE to buffer KILL-BUF: {4 << 20} bytes, adler32 {file.Adler32} verified", _server.Log[before..]);
    }
}
