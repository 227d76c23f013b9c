using System.IO.Compression;
using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// Files inside an archive (Rucio's constituents): attaching files to a file DID registers them, and the replica
/// listing serves each through its archive's replicas, marked client_extract, after any copy of its own.
/// </summary>
public sealed class ArchiveTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_constituent_is_listed_through_its_archive_for_the_client_to_extract()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "ARCH-A");
        var inner = "log.000"u8.ToArray();
        using var zipBytes = new MemoryStream();
        using (var zip = new ZipArchive(zipBytes, ZipArchiveMode.Create, leaveOpen: true))
            await using (var entry = zip.CreateEntry("log.000").Open()) await entry.WriteAsync(inner);
        var archive = new TestFile("user.root", "logs.zip", zipBytes.ToArray());
        await Site.UploadAsync(f.Api, "ARCH-A", prefix, "arch_ds", [archive]);
        var adler = Ferry.Core.Checksums.Adler32.ToHex(Ferry.Core.Checksums.Adler32.Compute(inner));

        var add = JsonSerializer.Serialize(new { dids = new[] { new { scope = "user.root", name = "log.000", bytes = inner.Length, type = "FILE", adler32 = adler } } });
        using (var resp = await f.Api.SendAsync("POST", "/dids/user.root/logs.zip/dids", add))
            Assert.Equal(201, (int)resp.StatusCode);
        var constituent = await f.Api.JsonAsync("GET", "/dids/user.root/log.000");
        Assert.Equal(("FILE", inner.Length, adler), (constituent.GetProperty("type").GetString(), constituent.GetProperty("bytes").GetInt32(), constituent.GetProperty("adler32").GetString()));

        var lines = await f.Api.StreamAsync("POST", "/replicas/list", """{"dids":[{"scope":"user.root","name":"log.000"}]}""");
        var line = Assert.Single(lines);
        var pfn = Assert.Single(line.GetProperty("pfns").EnumerateObject());
        Assert.EndsWith(archive.HashPath, pfn.Name);
        Assert.True(pfn.Value.GetProperty("client_extract").GetBoolean());
        Assert.Equal("ARCH-A", pfn.Value.GetProperty("rse").GetString());
        Assert.Equal(inner.Length, line.GetProperty("bytes").GetInt32());
        Assert.Equal("AVAILABLE", line.GetProperty("states").GetProperty("ARCH-A").GetString());

        // Without archive resolution the constituent has nowhere to be read from.
        var plain = Assert.Single(await f.Api.StreamAsync("POST", "/replicas/list", """{"dids":[{"scope":"user.root","name":"log.000"}],"resolve_archives":false}"""));
        Assert.Empty(plain.GetProperty("pfns").EnumerateObject());
    }

    [Fact]
    public async Task Adding_to_an_archive_is_checked_and_all_or_nothing()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "ARCH-B");
        await Site.UploadAsync(f.Api, "ARCH-B", prefix, "arch_ds2", Site.MakeFiles("user.root", "arch2", 1, _ => 64));
        const string archive = "/dids/user.root/arch2_0000.dat/dids";
        using (var resp = await f.Api.SendAsync("POST", archive, """{"dids":[{"scope":"user.root","name":"in.1","bytes":3,"adler32":"xyz"}]}"""))
            await RawApi.AssertError(resp, 400, "InvalidObject");
        using (var resp = await f.Api.SendAsync("POST", archive, """{"dids":[{"scope":"user.root","name":"in.2","bytes":3},{"scope":"user.root","name":"arch_ds2"}]}"""))
            await RawApi.AssertError(resp, 409, "UnsupportedOperation");
        // The refused requests registered nothing.
        using (var gone = await f.Api.SendAsync("GET", "/dids/user.root/in.2"))
            await RawApi.AssertError(gone, 404, "DataIdentifierNotFound");

        using (var ok = await f.Api.SendAsync("POST", archive, """{"dids":[{"scope":"user.root","name":"in.3","bytes":3},{"scope":"user.root","name":"in.3","bytes":3}]}"""))
            Assert.Equal(201, (int)ok.StatusCode);
        using (var again = await f.Api.SendAsync("POST", archive, """{"dids":[{"scope":"user.root","name":"in.3","bytes":3}]}"""))
            await RawApi.AssertError(again, 409, "DuplicateContent");
        using (var mismatch = await f.Api.SendAsync("POST", "/dids/user.root/arch2_0000.dat/dids", """{"dids":[{"scope":"user.root","name":"in.3","bytes":4}]}"""))
            await RawApi.AssertError(mismatch, 412, "FileConsistencyMismatch");
    }
}
