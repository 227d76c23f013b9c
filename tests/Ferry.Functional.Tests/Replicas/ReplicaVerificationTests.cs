using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;
using Ferry.Functional.Tests.Upload;

namespace Ferry.Functional.Tests.Replicas;

/// <summary>
/// "AVAILABLE only after a checksum match", on every request path that can make a replica AVAILABLE (POST and PUT
/// /replicas, a DID attached with an RSE): a match is accepted, a mismatch refused (412), and storage the server cannot
/// reach refuses the request with 503 StorageUnavailable, never skipping the check, so nothing becomes AVAILABLE.
/// </summary>
public sealed class ReplicaVerificationTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Unreachable_storage_answers_503_and_nothing_becomes_available()
    {
        const string rse = "RV-DOWN";
        await AddUnreachableRseAsync(rse);
        var data = "unreachable bytes"u8.ToArray();

        // New replicas registered AVAILABLE: refused whole, nothing registered.
        using (var add = await f.Api.SendAsync("POST", "/replicas", Body(rse, [("rv_down_new", data, null)], "A")))
        {
            var message = await RawApi.AssertError(add, 503, "StorageUnavailable");
            Assert.Contains(rse, message);
            Assert.Contains("nothing was made AVAILABLE", message);
        }
        Assert.Empty(await KnownAsync("rv_down_new"));

        // A COPYING replica asked to become AVAILABLE: refused, and it stays COPYING.
        using (var copying = await f.Api.SendAsync("POST", "/replicas", Body(rse, [("rv_down_copying", data, null)], "C")))
            Assert.Equal(201, (int)copying.StatusCode);
        using (var put = await f.Api.SendAsync("PUT", "/replicas", Body(rse, [("rv_down_copying", data, null)], "A")))
            await RawApi.AssertError(put, 503, "StorageUnavailable");
        Assert.Equal("COPYING", await StateAsync("rv_down_copying", rse));

        // Files attached to a dataset with the RSE (how bulk registration lands): refused before anything is attached.
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/dids/user.root/rv_down_ds", """{"type":"DATASET"}""")).StatusCode);
        var attach = $$"""{"rse":"{{rse}}","dids":[{"scope":"user.root","name":"rv_down_attached","bytes":{{data.Length}},"adler32":"{{UploadTree.Adler(data)}}"}]}""";
        using (var attached = await f.Api.SendAsync("POST", "/dids/user.root/rv_down_ds/dids", attach))
            await RawApi.AssertError(attached, 503, "StorageUnavailable");
        Assert.Empty(await KnownAsync("rv_down_attached"));
        Assert.Empty(await f.Api.StreamAsync("GET", "/dids/user.root/rv_down_ds/dids"));
    }

    [Fact]
    public async Task Storage_that_refuses_the_server_answers_409_StorageError_and_nothing_is_registered()
    {
        // S3 for which the server holds no credentials: retrying cannot help, so not a 503.
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/rses/RV-NOCREDS")).StatusCode);
        using (var protocol = await f.Api.SendAsync("POST", "/rses/RV-NOCREDS/protocols/s3",
            """{"hostname":"127.0.0.1","port":9,"prefix":"/bucket","impl":"rucio.rse.protocols.s3.Default","domains":{"wan":{"read":1,"write":1,"delete":1}}}"""))
            Assert.Equal(201, (int)protocol.StatusCode);
        var data = "no credentials"u8.ToArray();
        using (var add = await f.Api.SendAsync("POST", "/replicas", Body("RV-NOCREDS", [("rv_nocreds", data, null)], "A")))
            Assert.Contains("rse-credentials.json", await RawApi.AssertError(add, 409, "StorageError"));
        Assert.Empty(await KnownAsync("rv_nocreds"));
    }

    [Fact]
    public async Task A_checksum_mismatch_is_refused_and_a_match_becomes_available()
    {
        var data = "the bytes on storage"u8.ToArray();
        WriteOnLocal("rv_match", data);
        var wrong = UploadTree.Adler([.. data.Reverse()]);
        using (var refused = await f.Api.SendAsync("POST", "/replicas", Body("LOCAL", [("rv_match", data, wrong)], "A")))
            Assert.Contains("rv_match", await RawApi.AssertError(refused, 412, "FileConsistencyMismatch"));
        Assert.Empty(await KnownAsync("rv_match"));

        using (var accepted = await f.Api.SendAsync("POST", "/replicas", Body("LOCAL", [("rv_match", data, null)], "A")))
            Assert.Equal(201, (int)accepted.StatusCode);
        Assert.Equal("AVAILABLE", await StateAsync("rv_match", "LOCAL"));
    }

    [Fact]
    public async Task A_replica_set_available_is_refused_while_its_bytes_differ_and_accepted_once_they_match()
    {
        var data = "copying, then complete"u8.ToArray();
        using (var copying = await f.Api.SendAsync("POST", "/replicas", Body("LOCAL", [("rv_put", data, null)], "C")))
            Assert.Equal(201, (int)copying.StatusCode);
        WriteOnLocal("rv_put", [.. data.Reverse()]);
        using (var refused = await f.Api.SendAsync("PUT", "/replicas", """{"rse":"LOCAL","files":[{"scope":"user.root","name":"rv_put","state":"A"}]}"""))
            await RawApi.AssertError(refused, 412, "FileConsistencyMismatch");
        Assert.Equal("COPYING", await StateAsync("rv_put", "LOCAL"));

        WriteOnLocal("rv_put", data);
        using (var accepted = await f.Api.SendAsync("PUT", "/replicas", """{"rse":"LOCAL","files":[{"scope":"user.root","name":"rv_put","state":"A"}]}"""))
            Assert.Equal(200, (int)accepted.StatusCode);
        Assert.Equal("AVAILABLE", await StateAsync("rv_put", "LOCAL"));
    }

    [Fact]
    public async Task An_rse_with_no_readable_protocol_is_catalogue_only_and_registers_as_Rucio_does()
    {
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/rses/RV-CATALOGUE")).StatusCode);
        var data = "never stored here"u8.ToArray();
        using (var add = await f.Api.SendAsync("POST", "/replicas", Body("RV-CATALOGUE", [("rv_catalogue", data, null)], "A")))
            Assert.Equal(201, (int)add.StatusCode);
        Assert.Equal("AVAILABLE", await StateAsync("rv_catalogue", "RV-CATALOGUE"));
    }

    /// <summary>An RSE whose only protocol is HTTP on a local port nothing listens on (bound, then released).</summary>
    private async Task AddUnreachableRseAsync(string rse)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", $"/rses/{rse}")).StatusCode);
        using var protocol = await f.Api.SendAsync("POST", $"/rses/{rse}/protocols/http", JsonSerializer.Serialize(new
        {
            hostname = "127.0.0.1", port, prefix = "/data/",
            domains = new { lan = new { read = 1, write = 1, delete = 1 }, wan = new { read = 1, write = 1, delete = 1 } },
        }));
        Assert.Equal(201, (int)protocol.StatusCode);
    }

    private static string Body(string rse, IEnumerable<(string Name, byte[] Data, string? Adler32)> files, string state) =>
        $$"""{"rse":"{{rse}}","files":[{{string.Join(",", files.Select(x =>
            $$"""{"scope":"user.root","name":"{{x.Name}}","bytes":{{x.Data.Length}},"adler32":"{{x.Adler32 ?? UploadTree.Adler(x.Data)}}","state":"{{state}}"}"""))}}]}""";

    private void WriteOnLocal(string name, byte[] data)
    {
        var path = Path.Combine(f.Server.Home, "rses", "LOCAL", Ferry.Core.Paths.Lfn2Pfn.Hash("user.root", name));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data);
    }

    /// <summary>The DID if the catalogue has it (bulkmeta leaves out unknown ones, as Rucio does).</summary>
    private Task<List<JsonElement>> KnownAsync(string name) =>
        f.Api.StreamAsync("POST", "/dids/bulkmeta", $$"""{"dids":[{"scope":"user.root","name":"{{name}}"}],"inherit":false}""");

    private async Task<string?> StateAsync(string name, string rse)
    {
        var listed = await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{"scope":"user.root","name":"{{name}}"}],"all_states":true}""");
        var states = Assert.Single(listed).GetProperty("states");
        return states.TryGetProperty(rse, out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
    }
}
