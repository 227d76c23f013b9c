using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// Replica listings as Metalink 4, read the way Rucio's download client reads them (parse_replicas_metalink): files by
/// identity, matched to the requested collection through parents, checked by hash and size, fetched from urls in priority order.
/// </summary>
public sealed class MetalinkTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private static readonly XNamespace Ns = "urn:ietf:params:xml:ns:metalink";

    private async Task<List<TestFile>> Scene()
    {
        if (await f.Api.SendAsync("GET", "/dids/user.root/ml_cont") is { IsSuccessStatusCode: true }) return Files;
        var a = await Site.AddPosixRseAsync(f.Api, "ML-A");
        var b = await Site.AddPosixRseAsync(f.Api, "ML-B");
        foreach (var (file, prefix) in Files.Select(x => (x, a)).Append((Files[0], b)))
        {
            var path = Path.Combine(prefix, file.HashPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, file.Content);
            var rse = prefix == a ? "ML-A" : "ML-B";
            var body = JsonSerializer.Serialize(new { rse, files = new[] { new { scope = file.Scope, name = file.Name, bytes = file.Content.Length,
                adler32 = file.Adler32, md5 = Convert.ToHexStringLower(MD5.HashData(file.Content)), state = "A" } } });
            using var add = await f.Api.SendAsync("POST", "/replicas", body);
            Assert.True(add.IsSuccessStatusCode, await add.Content.ReadAsStringAsync());
        }
        await f.Api.SendAsync("POST", "/dids/user.root/ml_ds", """{"type":"DATASET"}""");
        await f.Api.SendAsync("POST", "/dids/user.root/ml_ds/dids", JsonSerializer.Serialize(new { dids = Files.Select(x => new { scope = x.Scope, name = x.Name }) }));
        await f.Api.SendAsync("POST", "/dids/user.root/ml_cont", """{"type":"CONTAINER"}""");
        await f.Api.SendAsync("POST", "/dids/user.root/ml_cont/dids", """{"dids":[{"scope":"user.root","name":"ml_ds"}]}""");
        return Files;
    }

    private static readonly List<TestFile> Files =
    [
        new("user.root", "ml_first.dat", Encoding.UTF8.GetBytes(new string('x', 1234))),
        new("user.root", "ml_second.dat", Encoding.UTF8.GetBytes("second file")),
    ];

    private async Task<(HttpResponseMessage Response, XDocument? Xml)> Metalink(string method, string path, string? body, string accept = "application/metalink4+xml")
    {
        var req = new HttpRequestMessage(new HttpMethod(method), f.Server.Url + path);
        req.Headers.Add("X-Rucio-Auth-Token", await f.Api.TokenAsync());
        req.Headers.TryAddWithoutValidation("Accept", accept);
        if (body is not null) req.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        var resp = await new HttpClient().SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        return (resp, resp.IsSuccessStatusCode && ContentTypes.Of(resp) == "application/metalink4+xml" ? XDocument.Parse(text) : null);
    }

    [Fact]
    public async Task The_download_clients_request_gets_parents_glfns_hashes_sizes_and_urls_by_priority()
    {
        var files = await Scene();
        var (resp, xml) = await Metalink("POST", "/replicas/list", """
            {"dids":[{"scope":"user.root","name":"ml_cont"}],"domain":null,"ignore_availability":false,"all_states":false,
             "client_location":{"ip":"127.0.0.1","fqdn":"localhost","site":null,"latitude":null,"longitude":null},"resolve_archives":true,"resolve_parents":true}
            """);
        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal("application/metalink4+xml", ContentTypes.Of(resp));
        Assert.NotNull(xml);
        Assert.Equal(Ns + "metalink", xml.Root!.Name);
        var byIdentity = xml.Root.Elements(Ns + "file").ToDictionary(e => e.Element(Ns + "identity")!.Value);
        Assert.Equal(files.Select(x => $"{x.Scope}:{x.Name}").Order(), byIdentity.Keys.Order());
        foreach (var file in files)
        {
            var e = byIdentity[$"{file.Scope}:{file.Name}"];
            Assert.Equal(file.Name, e.Attribute("name")!.Value);
            Assert.Equal(["user.root:ml_cont", "user.root:ml_ds"], e.Element(Ns + "parents")!.Elements(Ns + "did").Select(d => d.Value).Order());
            var hashes = e.Elements(Ns + "hash").ToDictionary(h => h.Attribute("type")!.Value, h => h.Value);
            Assert.Equal(file.Adler32, hashes["adler32"]);
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(file.Content)), hashes["md5"]);
            Assert.Equal(file.Content.Length, long.Parse(e.Element(Ns + "size")!.Value));
            Assert.Equal($"/generic/rucio/{file.Scope}:{file.Name}", e.Element(Ns + "glfn")!.Attribute("name")!.Value);
            var urls = e.Elements(Ns + "url").ToList();
            Assert.Equal(Enumerable.Range(1, urls.Count), urls.Select(u => int.Parse(u.Attribute("priority")!.Value)));
            Assert.All(urls, u => Assert.Equal("wan", u.Attribute("domain")!.Value));
            Assert.All(urls, u => Assert.Equal("false", u.Attribute("client_extract")!.Value));
            // Every url names its RSE and, read as a path, holds the file's bytes.
            foreach (var u in urls)
            {
                Assert.StartsWith("ML-", u.Attribute("location")!.Value);
                Assert.Equal(file.Content, await File.ReadAllBytesAsync(Uri.UnescapeDataString(new Uri(u.Value).AbsolutePath)));
            }
            Assert.Equal(file == files[0] ? 2 : 1, urls.Count);
        }
    }

    [Fact]
    public async Task The_older_get_form_has_urls_with_location_and_priority_only()
    {
        var files = await Scene();
        var (resp, xml) = await Metalink("GET", $"/replicas/user.root/{Uri.EscapeDataString(files[0].Name)}", null);
        Assert.Equal(200, (int)resp.StatusCode);
        var file = Assert.Single(xml!.Root!.Elements(Ns + "file"));
        Assert.Null(file.Element(Ns + "parents"));
        Assert.Equal($"/atlas/rucio/user.root:{files[0].Name}", file.Element(Ns + "glfn")!.Attribute("name")!.Value);
        var urls = file.Elements(Ns + "url").ToList();
        Assert.Equal(2, urls.Count);
        Assert.All(urls, u => Assert.Equal(["location", "priority"], u.Attributes().Select(a => a.Name.LocalName)));
    }

    [Fact]
    public async Task A_dataset_partly_on_an_rse_is_an_unavailable_dataset_replica_there()
    {
        var files = await Scene();
        var rows = (await f.Api.StreamAsync("GET", "/replicas/user.root/ml_ds/datasets")).ToDictionary(r => r.GetProperty("rse").GetString()!);
        Assert.Equal("AVAILABLE", rows["ML-A"].GetProperty("state").GetString());
        Assert.Equal("UNAVAILABLE", rows["ML-B"].GetProperty("state").GetString());
        Assert.Equal(1, rows["ML-B"].GetProperty("available_length").GetInt32());
        Assert.Equal(files[0].Content.Length, rows["ML-B"].GetProperty("available_bytes").GetInt64());
        Assert.Equal(files.Sum(x => x.Content.Length), rows["ML-B"].GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Accept_chooses_between_json_and_metalink_and_refuses_what_neither_is()
    {
        await Scene();
        const string body = """{"dids":[{"scope":"user.root","name":"ml_ds"}]}""";
        var (json, _) = await Metalink("POST", "/replicas/list", body, "*/*");
        Assert.Equal("application/x-json-stream", ContentTypes.Of(json));
        var (preferred, xml) = await Metalink("POST", "/replicas/list", body, "application/x-json-stream;q=0.5, application/metalink4+xml");
        Assert.NotNull(xml);
        var (refused, _) = await Metalink("POST", "/replicas/list", body, "text/html");
        await RawApi.AssertError(refused, 406, "UnsupportedRequestedContentType");
        // A listing with nothing in it is still a metalink document.
        await f.Api.SendAsync("POST", "/dids/user.root/ml_empty", """{"type":"DATASET"}""");
        var (_, empty) = await Metalink("POST", "/replicas/list", """{"dids":[{"scope":"user.root","name":"ml_empty"}]}""");
        Assert.Empty(empty!.Root!.Elements(Ns + "file"));
    }
}
