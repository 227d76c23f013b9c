using System.Net;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Sync;

/// <summary>Bad sources for `ferry sync`: unreachable, not a Ferry or Rucio server, a dump with garbage lines. A clear message, nothing changed.</summary>
[Collection(SyncSourceCollection.Name)]
public sealed class SourceInputTests(SyncSourceFixture source)
{
    [Fact]
    public async Task Unreachable_foreign_and_garbled_sources_are_refused_with_a_message_and_change_nothing()
    {
        await using var target = await FerryServer.StartAsync();
        using var api = new RawApi(target);
        await SyncSourceFixture.OkAsync(target, "sync", "rses", "--from", source.Server.Url, "--select", "^SYNC-C$");
        var before = await SyncSourceFixture.ReplicasAsync(api, "SYNC-C");

        var unreachable = await SyncSourceFixture.RunAsync(target, "sync", "replicas", "--from", $"http://127.0.0.1:{FerryServer.FreePort()}", "--rse", "SYNC-C", "--submit");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("cannot reach the source", unreachable.Stderr);

        using var foreign = new HttpListener();
        var port = FerryServer.FreePort();
        foreign.Prefixes.Add($"http://127.0.0.1:{port}/");
        foreign.Start();
        var serving = Task.Run(async () =>
        {
            while (foreign.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await foreign.GetContextAsync(); } catch (HttpListenerException) { return; } catch (ObjectDisposedException) { return; }
                ctx.Response.StatusCode = 200;
                await ctx.Response.OutputStream.WriteAsync("<html>a web page</html>"u8.ToArray());
                ctx.Response.Close();
            }
        });
        var notRucio = await SyncSourceFixture.RunAsync(target, "sync", "rses", "--from", $"http://127.0.0.1:{port}");
        Assert.Equal(2, notRucio.ExitCode);
        Assert.Contains("does not answer GET /ping as a Ferry or Rucio server", notRucio.Stderr);
        foreign.Stop();

        var dump = Path.Combine(target.Home, "garbled.jsonl");
        await File.WriteAllLinesAsync(dump, [
            """{"rse":"SYNC-C","scope":"user.root","name":"ok_1","bytes":10,"adler32":"0000000a"}""",
            "this is not json",
            """{"rse":"SYNC-C","scope":"user.root","name":"ok_2","bytes":10,"adler32":"0000000a"}""",
            """{"rse":"SYNC-C","scope":"user.root","name":"bad","bytes":-1}""",
        ]);
        var garbled = await SyncSourceFixture.RunAsync(target, "sync", "replicas", "--from", dump, "--rse", "SYNC-C", "--submit");
        Assert.Equal(2, garbled.ExitCode);
        Assert.Contains("line 2: not JSON", garbled.Stderr);
        Assert.Contains("line 4: bytes must be a non-negative integer", garbled.Stderr);
        Assert.Contains("nothing was changed", garbled.Stderr);
        Assert.Equal(before, await SyncSourceFixture.ReplicasAsync(api, "SYNC-C"));
        await serving;
    }
}
