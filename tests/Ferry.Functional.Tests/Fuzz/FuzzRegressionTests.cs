using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Fuzz;

/// <summary>Requests the fuzzer found answered with a 500, kept as plain cases once fixed (seed and request in each comment).</summary>
public sealed class FuzzRegressionTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    // Seed 1, #2811: the /dids/{**rest} catch-all also matches "/dids" itself, and cutting "/dids/" off it overran the string.
    [Theory]
    [InlineData("DELETE")]
    [InlineData("PUT")]
    [InlineData("GET")]
    public async Task A_method_on_bare_dids_that_has_no_endpoint_is_refused(string method)
    {
        using var resp = await f.Api.SendAsync(method, "/dids");
        Assert.Contains("/dids/SCOPE/NAME", await RawApi.AssertError(resp, 405, "MethodNotAllowed"));
    }

    // Seed 118310874 (CI): a protocol whose domain priority was not a whole number was stored, and from then on every
    // PFN of that RSE failed in JsonElement.GetInt32 (a 500 on replica listings, registration and checks).
    [Theory]
    [InlineData("FZR_DOM1", """{"wan":{"read":1.5}}""", "domains.wan.read")]
    [InlineData("FZR_DOM2", """{"wan":{"read":18446744073709551616}}""", "domains.wan.read")]
    [InlineData("FZR_DOM3", """{"lan":"yes"}""", "domains.lan")]
    [InlineData("FZR_DOM4", """[1]""", "'domains' must be an object")]
    public async Task A_protocol_with_unusable_domain_priorities_is_refused_and_not_stored(string rse, string domains, string message)
    {
        await Site.AddPosixRseAsync(f.Api, rse);
        using var resp = await f.Api.SendAsync("POST", $"/rses/{rse}/protocols/davs", $$"""{"hostname":"localhost","port":8443,"prefix":"/x","domains":{{domains}}}""");
        Assert.Contains(message, await RawApi.AssertError(resp, 400, "InvalidObject"));
        var protocols = await f.Api.JsonAsync("GET", $"/rses/{rse}/protocols");
        Assert.DoesNotContain("davs", protocols.GetRawText());
    }

    // Seed 1, #3170: two RSEs whose protocols resolve to the same URL made the listing's pfns dictionary throw.
    [Fact]
    public async Task Replicas_of_two_rses_on_one_storage_url_are_listed_once()
    {
        var a = await Site.AddPosixRseAsync(f.Api, "FZR_A");
        var b = await Site.AddPosixRseAsync(f.Api, "FZR_B");
        var file = Site.MakeFiles("user.root", "fzr_shared", 1, _ => 100);
        await Site.UploadAsync(f.Api, "FZR_A", a, "fzr_shared_a", file);
        await Site.UploadAsync(f.Api, "FZR_B", b, "fzr_shared_b", file);
        const string root = """{"hostname":"localhost","port":1094,"prefix":"/same","impl":"rucio.rse.protocols.xrootd.Default","domains":{"wan":{"read":1,"write":1,"delete":1}}}""";
        foreach (var rse in new[] { "FZR_A", "FZR_B" })
            using (var p = await f.Api.SendAsync("POST", $"/rses/{rse}/protocols/root", root))
                Assert.Equal(201, (int)p.StatusCode);

        var listed = await f.Api.StreamAsync("GET", $"/replicas/user.root/{file[0].Name}");
        var pfns = listed.Single().GetProperty("pfns").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(pfns.Distinct().Count(), pfns.Count);
        Assert.Contains(pfns, p => p.StartsWith("root://localhost:1094/same/", StringComparison.Ordinal));
        Assert.Equal(2, listed.Single().GetProperty("states").EnumerateObject().Count());
    }

    // Seeds 2 and 4: after the fuzzer gave an RSE a protocol it cannot use (S3 without credentials, WebDAV on a closed
    // port) the consistency check and the audit let the StorageException through as an internal error.
    [Fact]
    public async Task A_check_of_an_rse_whose_storage_cannot_be_used_is_refused_with_the_reason()
    {
        foreach (var (rse, scheme, protocol, status, cls) in new[]
        {
            ("FZR_S3", "s3", """{"hostname":"127.0.0.1","port":9,"prefix":"/bucket","impl":"rucio.rse.protocols.s3.Default","domains":{"wan":{"read":1,"write":1,"delete":1}}}""", 409, "StorageError"),
            ("FZR_DAV", "http", """{"hostname":"127.0.0.1","port":9,"prefix":"/dav","impl":"rucio.rse.protocols.webdav.Default","domains":{"wan":{"read":1,"write":1,"delete":1}}}""", 503, "StorageUnavailable"),
        })
        {
            using (var add = await f.Api.SendAsync("POST", $"/rses/{rse}"))
                Assert.Equal(201, (int)add.StatusCode);
            using (var p = await f.Api.SendAsync("POST", $"/rses/{rse}/protocols/{scheme}", protocol))
                Assert.Equal(201, (int)p.StatusCode);
            using var check = await f.Api.SendAsync("POST", $"/ferry/rses/{rse}/check", "{}");
            var message = await RawApi.AssertError(check, status, cls);
            Assert.Contains("storage", message, StringComparison.OrdinalIgnoreCase);
            using var audit = await f.Api.SendAsync("POST", $"/ferry/audit/{rse}/run", "{}");
            Assert.True((int)audit.StatusCode is >= 200 and < 500 or 503, $"audit of {rse}: {(int)audit.StatusCode} {await audit.Content.ReadAsStringAsync()}");
        }
    }

    // Seeds 11 and 12: add-did with rules created the collection, then refused the rules (not a list; the same rule
    // twice), and the collection stayed although the request was refused.
    [Theory]
    [InlineData("fzr_rules_not_a_list", """{"type":"DATASET","rules":" "}""", 400, "InvalidObject")]
    [InlineData("fzr_rules_twice", """{"type":"DATASET","rules":[{"copies":1,"rse_expression":"LOCAL"},{"copies":1,"rse_expression":"LOCAL"}]}""", 409, "DuplicateRule")]
    [InlineData("fzr_missing_child", """{"type":"DATASET","dids":[{"scope":"user.root","name":"no_such_file"}]}""", 404, "DataIdentifierNotFound")]
    public async Task An_add_did_refused_in_its_rules_or_content_leaves_no_collection(string name, string body, int status, string cls)
    {
        using var add = await f.Api.SendAsync("POST", $"/dids/user.root/{name}", body);
        await RawApi.AssertError(add, status, cls);
        using var get = await f.Api.SendAsync("GET", $"/dids/user.root/{name}");
        Assert.Equal(404, (int)get.StatusCode);
        using var rules = await f.Api.SendAsync("GET", $"/dids/user.root/{name}/rules");
        Assert.True((int)rules.StatusCode == 404 || (await rules.Content.ReadAsStringAsync()).Trim().Length == 0);
    }

    // Seed 14, #4552: a rule for an account that does not exist hit the accounts foreign key (SqliteException, 500).
    [Theory]
    [InlineData("nosuchaccount", 404, "AccountNotFound")]
    [InlineData("Not An Account!", 400, "InvalidObject")]
    public async Task A_rule_for_an_unknown_account_is_refused(string account, int status, string cls)
    {
        var name = "fzr_owner_" + status;
        using (var ds = await f.Api.SendAsync("POST", $"/dids/user.root/{name}", """{"type":"DATASET"}"""))
            Assert.Equal(201, (int)ds.StatusCode);
        var body = System.Text.Json.JsonSerializer.Serialize(new { dids = new[] { new { scope = "user.root", name } }, copies = 1, rse_expression = "LOCAL", account });
        using var rule = await f.Api.SendAsync("POST", "/rules/", body);
        await RawApi.AssertError(rule, status, cls);
    }

    // PostgreSQL run: a NUL byte in an RSE name of POST /replicas/bad reached PostgreSQL, whose text cannot hold one
    // (PostgresException 22021, a 500). SQLite finds no such RSE and reports the replica as not declared (201, as
    // Rucio answers); PostgreSQL refuses the value with a 400. Neither is a 500.
    [Fact]
    public async Task A_nul_byte_in_a_name_is_never_a_server_error()
    {
        using var resp = await f.Api.SendAsync("POST", "/replicas/bad", """{"replicas":[{"scope":"user.root","name":"fzr_nul","rse":"LOC\u0000AL"}],"reason":"x"}""");
        Assert.True((int)resp.StatusCode is 201 or 400, $"{(int)resp.StatusCode}: {await resp.Content.ReadAsStringAsync()}");
        using var dids = await f.Api.SendAsync("POST", "/dids/user.root/fzr_nul%00x", """{"type":"DATASET"}""");
        Assert.InRange((int)dids.StatusCode, 400, 499);
    }

    // Seed 118310874 (CI), #2457: an unpaired surrogate escape in a trace parsed, then failed to serialize (a 500).
    [Theory]
    [InlineData("/traces", """{"a": "\uD800"}""")]
    [InlineData("/traces", """{"eventType": "download", "scope": "\uDC00"}""")]
    public async Task An_unpaired_surrogate_in_a_body_is_a_400(string path, string body)
    {
        using var resp = await f.Api.SendAsync("POST", path, body);
        Assert.Contains("not valid Unicode", await RawApi.AssertError(resp, 400, "InvalidObject"));
    }
}
