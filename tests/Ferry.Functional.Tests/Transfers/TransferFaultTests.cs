using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;
using Ferry.Testing;

namespace Ferry.Functional.Tests.Transfers;

/// <summary>
/// What goes wrong between storage sites ends in a retried transfer or a clear, stored error, and never in an
/// AVAILABLE replica whose bytes do not match.
/// </summary>
public sealed class TransferFaultTests
{
    private static async Task<string> RuleAsync(RawApi api, string name, string to, string? from = null)
    {
        var body = JsonSerializer.Serialize(new
        {
            dids = new[] { new { scope = "user.root", name } }, copies = 1, rse_expression = to, source_replica_expression = from, grouping = "NONE",
        });
        return (await api.JsonAsync("POST", "/rules/", body))[0].GetString()!;
    }

    private static async Task<TestFile> UploadAsync(FerryServer server, string rse, string stem, int bytes)
    {
        var file = Site.MakeFiles("user.root", stem, 1, _ => bytes)[0];
        var local = Path.Combine(TempDirs.Create("fault-files"), file.Name);
        await File.WriteAllBytesAsync(local, file.Content);
        await Infrastructure.Cli.OkAsync(server, "upload", local, "--rse", rse, "--scope", "user.root");
        return file;
    }

    private static bool Same(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);

    private static async Task<string?> StateOnAsync(RawApi api, TestFile file, string rse)
    {
        var replicas = await api.StreamAsync("GET", $"/replicas/user.root/{file.Name}?all_states=true");
        return replicas.Single().GetProperty("states").TryGetProperty(rse, out var s) ? s.GetString() : null;
    }

    [SkippableFact]
    public async Task A_corrupt_source_is_declared_bad_and_the_copy_comes_from_another_source()
    {
        StorageServices.Require();
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var dav = await StorageSites.AddAsync(server, api, "FT_DAV", "http");
        await StorageSites.AddAsync(server, api, "FT_SFTP", "sftp");
        await StorageSites.AddAsync(server, api, "FT_DEST", "file");
        var file = await UploadAsync(server, "FT_DAV", "corrupt", 256_000);
        await Site.WaitForRuleAsync(api, await RuleAsync(api, file.Name, "FT_SFTP"), "OK", TimeSpan.FromMinutes(1));

        // Same size, one bit flipped: only a checksum can tell.
        var onDisk = StorageServices.LocalPathOf(dav, file.HashPath);
        var bytes = await File.ReadAllBytesAsync(onDisk);
        bytes[100_000] ^= 0x01;
        await File.WriteAllBytesAsync(onDisk, bytes);
        await api.SendAsync("POST", "/rses/FT_DAV/distances/FT_DEST", """{"distance": 1}""");
        await api.SendAsync("POST", "/rses/FT_SFTP/distances/FT_DEST", """{"distance": 5}""");

        await Site.WaitForRuleAsync(api, await RuleAsync(api, file.Name, "FT_DEST"), "OK", TimeSpan.FromMinutes(1));
        // The upload's rule still needs a copy on FT_DAV: the judge repairs it from the good source.
        for (var i = 0; i < 150 && !(await StateOnAsync(api, file, "FT_DAV") == "AVAILABLE" && Same(file.Content, await File.ReadAllBytesAsync(onDisk))); i++)
            await Task.Delay(200);
        File.WriteAllText("/tmp/corrupt-server.log", server.Log + string.Join("\n", await api.StreamAsync("GET", $"/replicas/user.root/{file.Name}?all_states=true")));
        Assert.True(Same(file.Content, await File.ReadAllBytesAsync(onDisk)), "the corrupt replica was not repaired");
        Assert.Equal("AVAILABLE", await StateOnAsync(api, file, "FT_DAV"));
        Assert.Equal("AVAILABLE", await StateOnAsync(api, file, "FT_DEST"));
        var dest = await api.StreamAsync("GET", $"/replicas/user.root/{file.Name}");
        Assert.Contains("FT_DEST", dest.Single().GetProperty("rses").EnumerateObject().Select(p => p.Name));
        Assert.Contains("corrupt, declared BAD", server.Log);
    }

    [SkippableFact]
    public async Task Refused_credentials_fail_at_once_with_the_storage_message()
    {
        StorageServices.Require();
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_TRANSFER_ATTEMPTS"] = "5" });
        using var api = new RawApi(server);
        await StorageSites.AddAsync(server, api, "CR_SRC", "file");
        await StorageSites.AddAsync(server, api, "CR_S3", "s3", new Dictionary<string, string> { ["access_key"] = "NOT-A-KEY", ["secret_key"] = "wrong-secret" });
        var file = await UploadAsync(server, "CR_SRC", "creds", 10_000);

        var rule = await Site.WaitForRuleAsync(api, await RuleAsync(api, file.Name, "CR_S3"), "STUCK", TimeSpan.FromSeconds(30));
        var error = rule.GetProperty("error").GetString()!;
        Assert.Contains("refused the credentials", error);
        Assert.NotEqual("AVAILABLE", await StateOnAsync(api, file, "CR_S3"));
        // Permanent: one attempt, not the five allowed for transient errors.
        var links = await api.JsonAsync("GET", "/ferry/transfers/links");
        Assert.Contains(links.EnumerateArray(), l => l.GetProperty("failed").GetInt64() == 1);
    }

    [SkippableFact]
    public async Task A_hanging_server_and_a_server_speaking_another_protocol_end_in_stored_errors()
    {
        StorageServices.Require();
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<TcpClient>();
        _ = Task.Run(async () => { while (true) held.Add(await silent.AcceptTcpClientAsync()); });
        var silentPort = ((IPEndPoint)silent.LocalEndpoint).Port;

        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string>
        {
            ["FERRY_TRANSFER_ATTEMPTS"] = "1", ["FERRY_TRANSFER_TIMEOUT_SECONDS"] = "3",
        });
        using var api = new RawApi(server);
        await StorageSites.AddAsync(server, api, "HG_SRC", "file");
        foreach (var (rse, port) in new[] { ("HG_SILENT", silentPort), ("HG_NOT_HTTP", 2222) })
        {
            Assert.Equal(201, (int)(await api.SendAsync("POST", $"/rses/{rse}")).StatusCode);
            await api.SendAsync("POST", $"/rses/{rse}/protocols/http", JsonSerializer.Serialize(new
            {
                hostname = "127.0.0.1", port, prefix = "/data/",
                domains = new { lan = new { read = 1, write = 1, delete = 1 }, wan = new { read = 1, write = 1, delete = 1 } },
            }));
        }
        var file = await UploadAsync(server, "HG_SRC", "hang", 50_000);
        var hung = await Site.WaitForRuleAsync(api, await RuleAsync(api, file.Name, "HG_SILENT"), "STUCK", TimeSpan.FromSeconds(60));
        Assert.Matches("no completion within|timed out|no data for", hung.GetProperty("error").GetString()!);
        var wrong = await Site.WaitForRuleAsync(api, await RuleAsync(api, file.Name, "HG_NOT_HTTP"), "STUCK", TimeSpan.FromSeconds(60));
        Assert.Contains("HG_SRC -> destination", wrong.GetProperty("error").GetString()!);
        Assert.Null(await StateOnAsync(api, file, "HG_SILENT") is "AVAILABLE" ? "AVAILABLE" : null);
        Assert.NotEqual("AVAILABLE", await StateOnAsync(api, file, "HG_NOT_HTTP"));
        foreach (var c in held) c.Dispose();
    }
}
