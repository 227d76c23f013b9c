using System.Text.Json;
using System.Xml.Linq;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// Rucio's /redirect, /replicas/datasets_bulk, /dids/{scope}/{name}/associated_rules and collection lifetimes, as the
/// real Rucio 41 server answers them.
/// </summary>
public sealed class RedirectDialectTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private static readonly XNamespace Ns = "urn:ietf:params:xml:ns:metalink";

    /// <summary>
    /// An AVAILABLE replica whose only protocol is https on a host that does not exist. The replica is registered while the
    /// RSE has no protocol (a catalogue-only RSE, nothing to verify against); with the protocol declared first the server
    /// would have to verify the bytes there and would answer 503 StorageUnavailable (Rucio verifies nothing).
    /// </summary>
    private async Task<string> HttpsReplicaAsync(string rse, string name)
    {
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", $"/rses/{rse}")).StatusCode);
        using (var add = await f.Api.SendAsync("POST", "/replicas", $$"""{"rse":"{{rse}}","files":[{"scope":"user.root","name":"{{name}}","bytes":1,"adler32":"0cc737eb"}]}"""))
            Assert.True(201 == (int)add.StatusCode, await add.Content.ReadAsStringAsync());
        var protocol = JsonSerializer.Serialize(new
        {
            hostname = $"{rse.ToLowerInvariant()}.invalid", port = 443, prefix = "/data/", impl = "rucio.rse.protocols.gfal.Default",
            domains = new { wan = new { read = 0, write = 0, delete = 0 } },
        });
        using (var p = await f.Api.SendAsync("POST", $"/rses/{rse}/protocols/https", protocol))
            Assert.True(201 == (int)p.StatusCode, await p.Content.ReadAsStringAsync());
        return $"https://{rse.ToLowerInvariant()}.invalid";
    }

    [Fact]
    public async Task Redirect_answers_303_to_a_replica_and_a_plain_404_for_an_unknown_file()
    {
        using var miss = await f.Api.SendAsync("GET", "/redirect/user.root/rd_no_such_file");
        Assert.Equal(404, (int)miss.StatusCode);
        Assert.Equal("no redirection possible - file does not exist", await miss.Content.ReadAsStringAsync());
        Assert.Equal("</redirect/user.root/rd_no_such_file/metalink?schemes=davs,https,s3&select=random>; rel=describedby; type=\"application/metalink+xml\"",
            miss.Headers.GetValues("Link").Single());

        var host = await HttpsReplicaAsync("RD-HTTPS", "rd_file");
        using var hit = await f.Api.SendAsync("GET", "/redirect/user.root/rd_file");
        Assert.Equal(303, (int)hit.StatusCode);
        Assert.StartsWith(host, hit.Headers.Location!.ToString());
        Assert.EndsWith("/rd_file", hit.Headers.Location!.ToString());
    }

    [Fact]
    public async Task The_metalink_redirect_lists_the_urls_and_is_404_for_an_unknown_did()
    {
        using var miss = await f.Api.SendAsync("GET", "/redirect/user.root/rd_no_such_file/metalink");
        Assert.Equal(404, (int)miss.StatusCode);
        Assert.Equal("no redirection possible - cannot find the DID", await miss.Content.ReadAsStringAsync());

        var host = await HttpsReplicaAsync("RD-META", "rd_meta_file");
        using var hit = await f.Api.SendAsync("GET", "/redirect/user.root/rd_meta_file/metalink");
        Assert.Equal(200, (int)hit.StatusCode);
        Assert.Equal("application/metalink4+xml", ContentTypes.Of(hit));
        var file = XDocument.Parse(await hit.Content.ReadAsStringAsync()).Root!.Element(Ns + "file")!;
        Assert.Equal("user.root:rd_meta_file", file.Element(Ns + "identity")!.Value);
        Assert.Equal("/atlas/rucio/user.root:rd_meta_file", file.Element(Ns + "glfn")!.Attribute("name")!.Value);
        var url = Assert.Single(file.Elements(Ns + "url"));
        Assert.Equal("RD-META", url.Attribute("location")!.Value);
        Assert.Equal("1", url.Attribute("priority")!.Value);
        Assert.StartsWith(host, url.Value);
    }

    [Fact]
    public async Task Datasets_bulk_lists_known_datasets_and_refuses_a_did_without_scope_or_name()
    {
        await RawApi.AssertError(await f.Api.SendAsync("POST", "/replicas/datasets_bulk", "{}"), 400, "KeyError");
        await RawApi.AssertError(await f.Api.SendAsync("POST", "/replicas/datasets_bulk", """{"dids":[{"type":"I'm Different"}]}"""), 400, "InvalidObject");
        await HttpsReplicaAsync("RD-BULK", "rd_bulk_file");
        using (var ds = await f.Api.SendAsync("POST", "/dids/user.root/rd_bulk_ds", """{"type":"DATASET"}"""))
            Assert.Equal(201, (int)ds.StatusCode);
        using (var att = await f.Api.SendAsync("POST", "/dids/user.root/rd_bulk_ds/dids", """{"dids":[{"scope":"user.root","name":"rd_bulk_file"}]}"""))
            Assert.Equal(201, (int)att.StatusCode);
        var lines = await f.Api.StreamAsync("POST", "/replicas/datasets_bulk", """{"dids":[{"scope":"user.root","name":"rd_bulk_ds"},{"scope":"user.root","name":"rd_no_such_ds"}]}""");
        var line = Assert.Single(lines);
        Assert.Equal("rd_bulk_ds", line.GetProperty("name").GetString());
        Assert.Equal("RD-BULK", line.GetProperty("rse").GetString());
        Assert.Equal(1, line.GetProperty("available_length").GetInt64());
        Assert.Equal("AVAILABLE", line.GetProperty("state").GetString());
    }

    [Fact]
    public async Task An_empty_datasets_rule_on_one_rse_shows_an_unavailable_dataset_replica_of_no_files()
    {
        await Site.AddPosixRseAsync(f.Api, "RD-EMPTY");
        using (var ds = await f.Api.SendAsync("POST", "/dids/user.root/rd_empty_ds", """{"type":"DATASET"}"""))
            Assert.Equal(201, (int)ds.StatusCode);
        await Site.AddRuleAsync(f.Api, "user.root", "rd_empty_ds", "RD-EMPTY");
        foreach (var lines in new[]
        {
            await f.Api.StreamAsync("GET", "/replicas/user.root/rd_empty_ds/datasets"),
            await f.Api.StreamAsync("POST", "/replicas/datasets_bulk", """{"dids":[{"scope":"user.root","name":"rd_empty_ds"}]}"""),
        })
        {
            var line = Assert.Single(lines);
            Assert.Equal("RD-EMPTY", line.GetProperty("rse").GetString());
            Assert.Equal("UNAVAILABLE", line.GetProperty("state").GetString());
            foreach (var key in new[] { "bytes", "length", "available_bytes", "available_length" }) Assert.Equal(0, line.GetProperty(key).GetInt64());
            Assert.Equal(JsonValueKind.Null, line.GetProperty("accessed_at").ValueKind);
        }
    }

    [Fact]
    public async Task Associated_rules_are_the_rules_holding_the_file_whatever_did_they_were_made_on()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "RD-RULES");
        var file = new TestFile("user.root", "rd_ruled.dat", "ruled"u8.ToArray());
        await Site.UploadAsync(f.Api, "RD-RULES", prefix, "rd_ruled_ds", [file]);
        var id = await Site.AddRuleAsync(f.Api, "user.root", "rd_ruled_ds", "RD-RULES");
        var rules = await f.Api.StreamAsync("GET", $"/dids/user.root/{file.Name}/associated_rules");
        var rule = Assert.Single(rules);
        Assert.Equal(id, rule.GetProperty("id").GetString());
        Assert.Equal("rd_ruled_ds", rule.GetProperty("name").GetString());
        await RawApi.AssertError(await f.Api.SendAsync("GET", "/dids/user.root/rd_no_such_file/associated_rules"), 404, "DataIdentifierNotFound");
    }

    [Fact]
    public async Task A_collection_lifetime_of_0_means_none_and_a_negative_one_an_already_expired_collection()
    {
        using (var none = await f.Api.SendAsync("POST", "/dids/user.root/rd_life_zero", """{"type":"DATASET","lifetime":0}"""))
            Assert.Equal(201, (int)none.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await f.Api.JsonAsync("GET", "/dids/user.root/rd_life_zero")).GetProperty("expired_at").ValueKind);
        using (var past = await f.Api.SendAsync("POST", "/dids/user.root/rd_life_past", """{"type":"DATASET","lifetime":-1}"""))
            Assert.Equal(201, (int)past.StatusCode);
        var expired = DateTimeOffset.Parse((await f.Api.JsonAsync("GET", "/dids/user.root/rd_life_past")).GetProperty("expired_at").GetString()!.Replace(" UTC", " +00:00"),
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(expired <= DateTimeOffset.UtcNow);
    }
}
