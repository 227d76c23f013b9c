using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;
using Ferry.Testing;

namespace Ferry.Functional.Tests.Transfers;

/// <summary>
/// The conveyor moves bytes between every ordered pair of the five protocols (posix, WebDAV, S3, SFTP, XRootD) on
/// real servers; each copy is verified before its replica is AVAILABLE, and the bytes at the destination are the originals.
/// </summary>
public sealed class ProtocolMatrixTests
{
    private static readonly Dictionary<string, string> Rses = new()
    {
        ["file"] = "MX_POSIX", ["http"] = "MX_DAV", ["s3"] = "MX_S3", ["sftp"] = "MX_SFTP", ["root"] = "MX_XROOTD",
    };

    [SkippableFact]
    public async Task Every_pair_of_protocols_transfers_and_verifies()
    {
        StorageServices.Require();
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_CONVEYOR_PARALLELISM"] = "8" });
        using var api = new RawApi(server);
        var areas = new Dictionary<string, TestStorage>();
        foreach (var (scheme, rse) in Rses) areas[scheme] = await StorageSites.AddAsync(server, api, rse, scheme);

        // One file per source protocol, uploaded by the CLI through the client's own backend for that protocol.
        var files = new Dictionary<string, TestFile>();
        var dir = TempDirs.Create("matrix-files");
        foreach (var (scheme, rse) in Rses)
        {
            var file = Site.MakeFiles("user.root", "mx_" + scheme, 1, _ => 700_000 + scheme.Length)[0];
            files[scheme] = file;
            var local = Path.Combine(dir, file.Name);
            await File.WriteAllBytesAsync(local, file.Content);
            await Infrastructure.Cli.OkAsync(server, "upload", local, "--rse", rse, "--scope", "user.root");
        }

        var rules = new List<(string From, string To, string Rule)>();
        foreach (var from in Rses.Keys)
            foreach (var to in Rses.Keys.Where(t => t != from))
            {
                var body = JsonSerializer.Serialize(new
                {
                    dids = new[] { new { scope = "user.root", name = files[from].Name } }, copies = 1, rse_expression = Rses[to],
                    source_replica_expression = Rses[from], grouping = "NONE",
                });
                rules.Add((from, to, (await api.JsonAsync("POST", "/rules/", body))[0].GetString()!));
            }
        foreach (var (from, to, rule) in rules)
        {
            var r = await Site.WaitForRuleAsync(api, rule, "OK", TimeSpan.FromMinutes(3));
            Assert.True(r.GetProperty("locks_ok_cnt").GetInt32() == 1, $"{from} -> {to}: {r}");
        }

        foreach (var (from, file) in files)
            foreach (var to in Rses.Keys.Where(t => t != from))
            {
                var stored = await StorageSites.ReadAsync(areas[to], file.HashPath);
                Assert.True(file.Content.SequenceEqual(stored), $"bytes differ after {from} -> {to}");
            }

        var links = (await api.JsonAsync("GET", "/ferry/transfers/links")).EnumerateArray().ToList();
        foreach (var (from, to, _) in rules)
        {
            var link = links.Single(l => l.GetProperty("source").GetString() == Rses[from] && l.GetProperty("destination").GetString() == Rses[to]);
            Assert.Equal(1, link.GetProperty("done").GetInt64());
            Assert.Equal(files[from].Content.Length, link.GetProperty("bytes").GetInt64());
            Assert.True(link.GetProperty("bytes_per_second").GetInt64() > 0, link.ToString());
        }

        var replicas = await api.StreamAsync("GET", "/replicas/user.root/" + files["file"].Name);
        Assert.Equal(Rses.Values.Order(StringComparer.Ordinal), replicas.Single().GetProperty("states").EnumerateObject()
            .Where(s => s.Value.GetString() == "AVAILABLE").Select(s => s.Name).Order(StringComparer.Ordinal));
    }
}
