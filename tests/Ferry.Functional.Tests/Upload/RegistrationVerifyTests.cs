using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>
/// A bulk registration is accepted AVAILABLE only after the server re-read every file of the batch from the RSE and
/// found the catalogue's size and adler32 (the catalogue's, when the request carries none); one file whose bytes
/// differ refuses the whole batch and changes nothing.
/// </summary>
public sealed class RegistrationVerifyTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private const int Files = 40;

    [Fact]
    public async Task A_batch_marked_available_with_one_file_altered_on_storage_is_refused_whole()
    {
        var files = Write("alter", out var data);
        var known = string.Join(",", files.Select((n, i) => $$"""{"scope":"user.root","name":"{{n}}","bytes":{{data[i].Length}},"adler32":"{{UploadTree.Adler(data[i])}}","state":"C"}"""));
        using (var add = await f.Api.SendAsync("POST", "/replicas", $$"""{"rse":"LOCAL","files":[{{known}}]}"""))
            Assert.Equal(201, (int)add.StatusCode);
        // Same size, one byte different: only the checksum the catalogue holds can tell.
        var altered = OnRse(files[17]);
        var bytes = File.ReadAllBytes(altered);
        bytes[5] ^= 0xFF;
        File.WriteAllBytes(altered, bytes);

        // No checksums in the request: the server must compare with the catalogue's own.
        var toAvailable = $$"""{"rse":"LOCAL","files":[{{string.Join(",", files.Select(n => $$"""{"scope":"user.root","name":"{{n}}","state":"A"}"""))}}]}""";
        using (var put = await f.Api.SendAsync("PUT", "/replicas", toAvailable))
            Assert.Contains(files[17], await RawApi.AssertError(put, 412, "FileConsistencyMismatch"));
        Assert.All(await States(files), s => Assert.Equal("COPYING", s));

        File.WriteAllBytes(altered, data[17]);
        using (var again = await f.Api.SendAsync("PUT", "/replicas", toAvailable))
            Assert.Equal(200, (int)again.StatusCode);
        Assert.All(await States(files), s => Assert.Equal("AVAILABLE", s));
    }

    [Fact]
    public async Task New_files_registered_available_are_refused_whole_when_one_differs_from_its_request()
    {
        var files = Write("fresh", out var data);
        string Body(string? adler3) => $$"""{"rse":"LOCAL","files":[{{string.Join(",", files.Select((n, i) =>
            $$"""{"scope":"user.root","name":"{{n}}","bytes":{{data[i].Length}},"adler32":"{{(i == 3 && adler3 is not null ? adler3 : UploadTree.Adler(data[i]))}}","state":"A"}"""))}}]}""";
        using (var add = await f.Api.SendAsync("POST", "/replicas", Body(UploadTree.Adler([.. Enumerable.Reverse(data[3])]))))
            Assert.Contains(files[3], await RawApi.AssertError(add, 412, "FileConsistencyMismatch"));
        Assert.Empty(await Known(files));

        using (var again = await f.Api.SendAsync("POST", "/replicas", Body(null)))
            Assert.Equal(201, (int)again.StatusCode);
        Assert.Equal(Files, (await Known(files)).Count);
        Assert.All(await States(files), s => Assert.Equal("AVAILABLE", s));
    }

    /// <summary>The DIDs among the names the catalogue has (bulkmeta leaves out unknown ones, as Rucio does).</summary>
    private Task<List<JsonElement>> Known(List<string> names) =>
        f.Api.StreamAsync("POST", "/dids/bulkmeta", $$"""{"dids":[{{string.Join(",", names.Select(n => $$"""{"scope":"user.root","name":"{{n}}"}"""))}}],"inherit":false}""");

    /// <summary>Files of distinct random bytes written where the LOCAL RSE keeps them (as an upload would have).</summary>
    private List<string> Write(string prefix, out byte[][] data)
    {
        var rng = new Random(prefix[0]);
        var names = Enumerable.Range(0, Files).Select(i => $"verify/{prefix}/f{i:D3}.dat").ToList();
        data = names.Select(_ =>
        {
            var b = new byte[rng.Next(100, 5000)];
            rng.NextBytes(b);
            return b;
        }).ToArray();
        for (var i = 0; i < names.Count; i++)
        {
            var path = OnRse(names[i]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, data[i]);
        }
        return names;
    }

    private string OnRse(string name) => Path.Combine(f.Server.Home, "rses", "LOCAL", Ferry.Core.Paths.Lfn2Pfn.Hash("user.root", name));

    private async Task<List<string?>> States(List<string> names)
    {
        var dids = string.Join(",", names.Select(n => $$"""{"scope":"user.root","name":"{{n}}"}"""));
        var listed = await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{{dids}}],"all_states":true}""");
        Assert.Equal(names.Count, listed.Count);
        return listed.Select(r => r.GetProperty("states").TryGetProperty("LOCAL", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null).ToList();
    }
}
