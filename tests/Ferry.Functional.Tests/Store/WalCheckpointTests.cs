using System.Text;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Store;

/// <summary>
/// The embedded catalogue copies its write-ahead log into the database file after writes, on a connection of its own
/// (writers no longer wait for it), and what was committed survives a kill -9 either way.
/// </summary>
public sealed class WalCheckpointTests
{
    [Fact]
    public async Task Committed_writes_reach_the_database_file_without_waiting_for_the_log_to_fill()
    {
        await using var server = await FerryServer.StartAsync(database: "sqlite");
        using var api = new RawApi(server);
        var db = new FileInfo(Path.Combine(server.Home, "catalog.db"));
        await Task.Delay(1000);
        db.Refresh();
        var before = db.Length;

        // 400 names of 245 bytes, each in the table and two indexes, in one commit: far under the automatic checkpoint's
        // backstop (about 400 MB of log), so only the background checkpoint moves them into the file.
        var name = new string('n', 240);
        var body = new StringBuilder("[");
        for (var i = 0; i < 400; i++)
            body.Append(i == 0 ? "" : ",").Append($$"""{"scope":"user.root","name":"{{name}}_{{i:D4}}","type":"DATASET"}""");
        var resp = await api.SendAsync("POST", "/dids", body.Append(']').ToString());
        Assert.True(resp.IsSuccessStatusCode, await resp.Content.ReadAsStringAsync());
        await Site.WaitUntilAsync(() =>
        {
            db.Refresh();
            return Task.FromResult(db.Length >= before + 200_000);
        }, TimeSpan.FromSeconds(20), $"catalog.db to grow past {before + 200_000} bytes (it has {db.Length})");

        // A kill -9 right after more commits loses none of them: the log is replayed when the catalogue opens.
        var last = await api.SendAsync("POST", "/dids", $$"""[{"scope":"user.root","name":"after_checkpoint","type":"DATASET"}]""");
        Assert.True(last.IsSuccessStatusCode);
        server.Kill();
        await server.StartProcessAsync();
        using var again = new RawApi(server);
        var did = await again.JsonAsync("GET", "/dids/user.root/after_checkpoint");
        Assert.Equal("DATASET", did.GetProperty("type").GetString());
        var one = await again.JsonAsync("GET", $"/dids/user.root/{name}_0399");
        Assert.Equal("DATASET", one.GetProperty("type").GetString());
    }
}
