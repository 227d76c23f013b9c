using System.Net;
using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Transfers;

/// <summary>
/// Ferry serving a posix RSE over HTTP: remote clients upload and download through it with their token, reads
/// honour ranges, and writes land only where the catalogue expects a file of a scope the caller may write.
/// </summary>
public sealed class ServedStorageTests
{
    private static async Task<string> ServedRseAsync(FerryServer server, RawApi api, string rse)
    {
        var prefix = await Site.AddPosixRseAsync(api, rse);
        using var http = await api.SendAsync("POST", $"/rses/{rse}/protocols/http", JsonSerializer.Serialize(new
        {
            hostname = "127.0.0.1", port = server.Port, prefix = $"/storage/{rse}/",
            domains = new { lan = new { read = 2, write = 2, delete = 2 }, wan = new { read = 2, write = 2, delete = 2 } },
        }));
        Assert.Equal(201, (int)http.StatusCode);
        return prefix;
    }

    private static Task<CliResult> OverHttp(FerryServer server, params string[] args) =>
        Infrastructure.Cli.RunAsync(args, server.Home, new Dictionary<string, string>
        {
            ["FERRY_URL"] = server.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword, ["FERRY_SCHEMES"] = "http",
        });

    [Fact]
    public async Task A_client_restricted_to_http_uploads_and_downloads_through_the_server()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var prefix = await ServedRseAsync(server, api, "SERVED");
        var files = Site.MakeFiles("user.root", "served", 3, i => 200_000 + i * 3_000_000);
        var dir = TempDirs.Create("served-up");
        foreach (var f in files) await File.WriteAllBytesAsync(Path.Combine(dir, f.Name), f.Content);

        var up = await OverHttp(server, "upload", dir, "--rse", "SERVED", "--scope", "user.root", "--dataset", "served_ds");
        Assert.True(up.ExitCode == 0, up.Stderr + up.Stdout);
        foreach (var f in files) Assert.Equal(f.Content, await File.ReadAllBytesAsync(Path.Combine(prefix, f.HashPath)));

        var into = TempDirs.Create("served-down");
        var down = await OverHttp(server, "download", "user.root:served_ds", "--dir", into);
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
        foreach (var f in files) Assert.Equal(f.Content, await File.ReadAllBytesAsync(Path.Combine(into, "served_ds", f.Name)));
    }

    [Fact]
    public async Task Reads_honour_ranges_and_need_a_token()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var prefix = await ServedRseAsync(server, api, "RANGED");
        var file = Site.MakeFiles("user.root", "ranged", 1, _ => 100_000)[0];
        await Site.UploadAsync(api, "RANGED", prefix, "ranged_ds", [file]);

        var url = $"/storage/RANGED/{file.HashPath}";
        using var anonymous = await api.SendAsync("GET", url, auth: false);
        Assert.Equal(HttpStatusCode.BadRequest, anonymous.StatusCode);
        using var forged = await api.SendAsync("GET", url, token: "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        var request = new HttpRequestMessage(HttpMethod.Get, server.Url + url);
        request.Headers.Add("X-Rucio-Auth-Token", await api.TokenAsync());
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 1999);
        using var http = new HttpClient();
        using var ranged = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Equal(file.Content[1000..2000], await ranged.Content.ReadAsByteArrayAsync());

        var head = new HttpRequestMessage(HttpMethod.Head, server.Url + url);
        head.Headers.Add("X-Rucio-Auth-Token", await api.TokenAsync());
        head.Headers.Add("Want-Digest", "adler32");
        using var digest = await http.SendAsync(head);
        Assert.Equal("adler32=" + file.Adler32, digest.Headers.GetValues("Digest").Single());
    }

    [Fact]
    public async Task Writes_go_only_where_the_catalogue_expects_a_file_of_a_writable_scope()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var prefix = await ServedRseAsync(server, api, "GUARDED");
        await api.SendAsync("POST", "/accounts/eve", """{"type":"USER","email":"e@example.org"}""");
        await api.SendAsync("POST", "/accounts/eve/identities", """{"identity":"eve","authtype":"USERPASS","password":"pw-eve","email":"e@example.org"}""");
        await api.SendAsync("POST", "/accounts/eve/scopes/user.eve");
        var eve = await api.TokenAsync("eve", "pw-eve");

        async Task<HttpStatusCode> Put(string path, string token)
        {
            using var r = await api.SendAsync("PUT", $"/storage/GUARDED/{path}", "data", token);
            return r.StatusCode;
        }
        var ownPath = Ferry.Core.Paths.Lfn2Pfn.Hash("user.eve", "mine.dat");
        Assert.Equal(HttpStatusCode.Created, await Put(ownPath + ".ferry.part", eve));
        Assert.Equal(HttpStatusCode.Unauthorized, await Put(Ferry.Core.Paths.Lfn2Pfn.Hash("user.root", "theirs.dat"), eve));
        Assert.Equal(HttpStatusCode.Unauthorized, await Put("user/eve/00/00/mine.dat", eve));
        Assert.Equal(HttpStatusCode.Unauthorized, await Put("anything.dat", eve));
        foreach (var escape in new[] { "user/eve/../../../../escape.dat", "user/eve/..%2F..%2F..%2F..%2Fescape.dat", "%2E%2E/%2E%2E/escape.dat" })
            Assert.InRange((int)await Put(escape, eve), 400, 499);
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(prefix.TrimEnd('/'))!, "escape.dat", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(prefix, "user/root", "theirs.dat")));

        var move = new HttpRequestMessage(new HttpMethod("MOVE"), $"{server.Url}/storage/GUARDED/{ownPath}.ferry.part");
        move.Headers.Add("X-Rucio-Auth-Token", eve);
        move.Headers.Add("Destination", $"{server.Url}/storage/GUARDED/{ownPath}");
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(move)).StatusCode);
        Assert.Equal("data", await File.ReadAllTextAsync(Path.Combine(prefix, ownPath)));
        using var delete = await api.SendAsync("DELETE", $"/storage/GUARDED/{ownPath}", token: eve);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        Assert.True(File.Exists(Path.Combine(prefix, ownPath)));
    }

    /// <summary>
    /// The server decodes and removes dot segments but keeps an encoded slash, so "..%2Fvictim" reached the disk as one
    /// odd name: GET said 404, PUT 401, and an admin's DELETE 204 as if it had deleted something. Every method now
    /// refuses such a path with the same 400, and the files beside and inside the prefix stay.
    /// </summary>
    [Fact]
    public async Task A_path_with_an_encoded_slash_is_refused_alike_by_every_method_and_nothing_is_touched()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var prefix = await ServedRseAsync(server, api, "TRAVERSE");
        // Beside the prefix, in the directory other tests share: a name of its own.
        var victim = Path.GetFileName(prefix.TrimEnd('/')) + "-victim.dat";
        var outside = Path.Combine(Path.GetDirectoryName(prefix.TrimEnd('/'))!, victim);
        await File.WriteAllTextAsync(outside, "outside");
        var inside = Path.Combine(prefix, "a", "inner.dat");
        Directory.CreateDirectory(Path.GetDirectoryName(inside)!);
        await File.WriteAllTextAsync(inside, "inside");

        foreach (var path in new[] { $"..%2f{victim}", $"..%2F{victim}", $"a/..%2F..%2F{victim}", "a%2Finner.dat" })
            foreach (var method in new[] { "GET", "HEAD", "PUT", "DELETE" })
            {
                using var resp = await api.SendAsync(method, $"/storage/TRAVERSE/{path}", method == "PUT" ? "overwritten" : null);
                if (method == "HEAD") Assert.True(resp.StatusCode == HttpStatusCode.BadRequest, $"HEAD {path} -> {(int)resp.StatusCode}");
                else Assert.Contains("%2", await RawApi.AssertError(resp, 400, "InvalidPath"), StringComparison.OrdinalIgnoreCase);
            }
        Assert.Equal("outside", await File.ReadAllTextAsync(outside));
        Assert.Equal("inside", await File.ReadAllTextAsync(inside));
        Assert.Equal([inside], Directory.EnumerateFiles(prefix, "*", SearchOption.AllDirectories));

        // The plain path to the same file still works for the admin.
        using (var get = await api.SendAsync("GET", "/storage/TRAVERSE/a/inner.dat"))
            Assert.Equal("inside", await get.Content.ReadAsStringAsync());
        using (var delete = await api.SendAsync("DELETE", "/storage/TRAVERSE/a/inner.dat"))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.False(File.Exists(inside));
        Assert.True(File.Exists(outside));
        File.Delete(outside);
    }
}
