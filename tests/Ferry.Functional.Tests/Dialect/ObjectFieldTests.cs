using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>A small catalogue built once through the dialect: two RSEs (one with a location), a dataset of two files in a container, a rule, quotas.</summary>
public sealed class DialectScene : IAsyncLifetime
{
    public FerryServer Server { get; private set; } = null!;
    public RawApi Api { get; private set; } = null!;
    public string RuleId { get; private set; } = "";
    public List<TestFile> Files { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Server = await FerryServer.StartAsync();
        Api = new RawApi(Server);
        var prefixA = await Site.AddPosixRseAsync(Api, "FLD-A");
        await Site.AddPosixRseAsync(Api, "FLD-B");
        using (var put = await Api.SendAsync("PUT", "/rses/FLD-A", """
            {"city":"Geneva","region_code":"GE","country_name":"Switzerland","continent":"EU","time_zone":"Europe/Zurich",
             "ISP":"CERN","ASN":"513","longitude":6.05,"latitude":46.23,"qos_class":"SSD"}
            """))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        Files = Site.MakeFiles("user.root", "fld", 2, i => 1000 + i);
        await Site.UploadAsync(Api, "FLD-A", prefixA, "fld_ds", Files);
        Assert.Equal(201, (int)(await Api.SendAsync("POST", "/dids/user.root/fld_cont", """{"type":"CONTAINER"}""")).StatusCode);
        Assert.Equal(201, (int)(await Api.SendAsync("POST", "/dids/user.root/fld_cont/dids", """{"dids":[{"scope":"user.root","name":"fld_ds"}]}""")).StatusCode);
        var ids = await Api.JsonAsync("POST", "/rules/", """
            {"dids":[{"scope":"user.root","name":"fld_ds"}],"copies":1,"rse_expression":"FLD-B","account":null,"lifetime":86400,
             "grouping":"DATASET","comment":"field test","priority":4,"meta":{"workflow":7},"notify":"N"}
            """);
        RuleId = ids[0].GetString()!;
        await Site.WaitForRuleAsync(Api, RuleId, "OK", TimeSpan.FromSeconds(60));
        Assert.Equal(201, (int)(await Api.SendAsync("POST", "/accounts/root/limits/local/FLD-A", """{"bytes":1000000}""")).StatusCode);
        Assert.Equal(201, (int)(await Api.SendAsync("POST", "/accounts/root/limits/global/FLD-A%7CFLD-B", """{"bytes":5000000}""")).StatusCode);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// Field by field, every object the dialect returns: exactly Rucio's keys (from its REST views and core), with Rucio's
/// JSON types and nulls. Where Ferry adds a key beside Rucio's, the shape names it as an extension.
/// </summary>
public sealed class ObjectFieldTests(DialectScene s) : IClassFixture<DialectScene>
{
    // Rucio's rule row (ReplicationRule.to_dict); listings add the DID's bytes.
    private const string Rule = """
        id:s subscription_id:n account:s scope:s name:s did_type:s state:s error:n rse_expression:s copies:i expires_at:d weight:n
        locked:b locks_ok_cnt:i locks_replicating_cnt:i locks_stuck_cnt:i source_replica_expression:n activity:s grouping:s
        notification:s stuck_at:n purge_replicas:b ignore_availability:b ignore_account_limit:b priority:i comments:s child_rule_id:n
        eol_at:n split_container:b meta:s deleted_at:n created_at:d updated_at:d
        """;

    private const string RseRow = """
        id:s rse:s vo:s rse_type:s deterministic:b volatile:b staging_area:b city:s? region_code:s? country_name:s? continent:s?
        time_zone:s? ISP:s? ASN:s? longitude:f? latitude:f? availability:i availability_read:b availability_write:b
        availability_delete:b qos_class:s? deleted:b deleted_at:n created_at:d updated_at:d
        """;

    // What Rucio's GET /rses/{rse} gives (get_rse_protocols) ...
    private const string RseInfo = """
        availability_delete:b availability_read:b availability_write:b credentials:n deterministic:b domain:a id:s
        lfn2pfn_algorithm:s protocols:a qos_class:s? rse:s rse_type:s sign_url:s? staging_area:b verify_checksum:b volatile:b
        """;
    // ... and what Ferry has carried there beside it since the first wave: the rest of the RSE row.
    private const string RseInfoFerryExtras = """
        vo:s city:s? region_code:s? country_name:s? continent:s? time_zone:s? ISP:s? ASN:s? longitude:f? latitude:f? availability:i
        deleted:b deleted_at:n created_at:d updated_at:d
        """;

    private const string DidColumns = """
        scope:s name:s account:s did_type:s is_open:b? monotonic:b hidden:b obsolete:b complete:b? is_new:b? availability:s suppressed:b
        bytes:i? length:i? md5:s? adler32:s? expired_at:d? purge_replicas:b deleted_at:d? events:i? guid:s? project:s? datatype:s?
        run_number:i? stream_name:s? prod_step:s? version:s? campaign:s? task_id:i? panda_id:i? lumiblocknr:i? provenance:s?
        phys_group:s? transient:b? accessed_at:d? closed_at:d? eol_at:d? is_archive:b? constituent:b? access_cnt:i? created_at:d updated_at:d
        """;

    [Fact]
    public async Task A_rule_has_every_column_with_its_type_and_its_stored_values()
    {
        var rule = await s.Api.JsonAsync("GET", $"/rules/{s.RuleId}");
        Shape.Assert(rule, Rule, "GET /rules/{id}");
        Assert.Equal(4, rule.GetProperty("priority").GetInt32());
        Assert.Equal("field test", rule.GetProperty("comments").GetString());
        // Rucio keeps meta as the JSON text it was given.
        Assert.Equal(7, JsonDocument.Parse(rule.GetProperty("meta").GetString()!).RootElement.GetProperty("workflow").GetInt32());
        Assert.Equal("User Subscriptions", rule.GetProperty("activity").GetString());
        Assert.Equal(2, rule.GetProperty("locks_ok_cnt").GetInt32());
    }

    [Theory]
    [InlineData("/rules/?scope=user.root&name=fld_ds")]
    [InlineData("/accounts/root/rules")]
    [InlineData("/dids/user.root/fld_ds/rules")]
    public async Task Rule_listings_add_the_dids_bytes(string path)
    {
        var rule = (await s.Api.StreamAsync("GET", path)).Single(r => r.GetProperty("id").GetString() == s.RuleId);
        Shape.Assert(rule, Rule + " bytes:i", path);
        Assert.Equal(s.Files.Sum(f => (long)f.Content.Length), rule.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Locks_and_rule_history_lines()
    {
        foreach (var l in await s.Api.StreamAsync("GET", $"/rules/{s.RuleId}/locks"))
            Shape.Assert(l, "scope:s name:s rse_id:s rse:s state:s rule_id:s", "lock");
        // Ferry adds the RSEs each rule had used ("rses") to Rucio's history line.
        foreach (var h in await s.Api.StreamAsync("GET", "/rules/user.root/fld_ds/history"))
            Shape.Assert(h, "rule_id:s created_at:d updated_at:d rse_expression:s state:s account:s locks_ok_cnt:i locks_stuck_cnt:i locks_replicating_cnt:i rses:a", "rule history");
    }

    [Fact]
    public async Task Dids_files_datasets_containers_and_their_listings()
    {
        var file = s.Files[0];
        Shape.Assert(await s.Api.JsonAsync("GET", $"/dids/user.root/{file.Name}"), "scope:s name:s type:s account:s bytes:i length:i md5:n adler32:s", "file DID");
        var ds = await s.Api.JsonAsync("GET", "/dids/user.root/fld_ds");
        Shape.Assert(ds, "scope:s name:s type:s account:s open:b monotonic:b expired_at:n length:i bytes:i", "dataset DID");
        Assert.Equal(2, ds.GetProperty("length").GetInt32());
        Shape.Assert(await s.Api.JsonAsync("GET", "/dids/user.root/fld_cont?dynamic_depth=FILE"),
            "scope:s name:s type:s account:s open:b monotonic:b expired_at:n length:i bytes:i", "container DID");

        foreach (var c in await s.Api.StreamAsync("GET", "/dids/user.root/fld_ds/dids"))
            Shape.Assert(c, "scope:s name:s type:s bytes:i adler32:s md5:n", "dataset content");
        foreach (var c in await s.Api.StreamAsync("GET", "/dids/user.root/fld_cont/dids"))
            Shape.Assert(c, "scope:s name:s type:s bytes:i adler32:n md5:n", "container content");
        foreach (var f in await s.Api.StreamAsync("GET", "/dids/user.root/fld_cont/files"))
            Shape.Assert(f, "scope:s name:s bytes:i adler32:s guid:n events:n", "files");
        foreach (var f in await s.Api.StreamAsync("GET", "/dids/user.root/fld_ds/files?long=True"))
            Shape.Assert(f, "scope:s name:s bytes:i adler32:s guid:n events:n lumiblocknr:n", "files (long)");
        var parents = await s.Api.StreamAsync("GET", $"/dids/user.root/{file.Name}/parents");
        Shape.Assert(Assert.Single(parents), "scope:s name:s type:s", "parent");
        foreach (var d in await s.Api.StreamAsync("GET", "/dids/user.root/dids/search?type=all&filters=%5B%7B%27name%27%3A%20%27fld*%27%7D%5D&long=True"))
            Shape.Assert(d, "scope:s name:s did_type:s bytes:i? length:i?", "search (long)");
        foreach (var d in await s.Api.StreamAsync("GET", "/dids/user.root/"))
            Shape.Assert(d, "scope:s name:s type:s parent:n level:i bytes:i?", "scope listing");
        // With a name (exact, as Rucio's), the listing is that DID's content, each line naming its parent and no bytes.
        foreach (var d in await s.Api.StreamAsync("GET", "/dids/user.root/?name=fld_cont"))
            Shape.Assert(d, "scope:s name:s type:s parent:o level:i", "scope listing of a collection");
        Shape.Assert(await s.Api.JsonAsync("GET", $"/dids/user.root/{file.Name}/meta"), DidColumns, "DID_COLUMN metadata");
        Shape.Assert(await s.Api.JsonAsync("GET", "/dids/user.root/fld_ds/meta?plugin=DID_COLUMN"), DidColumns, "DID_COLUMN metadata of a dataset");
    }

    [Fact]
    public async Task Replica_lines_and_their_pfns()
    {
        var body = """{"dids":[{"scope":"user.root","name":"fld_cont"}],"all_states":false,"resolve_parents":true}""";
        var lines = await s.Api.StreamAsync("POST", "/replicas/list", body);
        Assert.Equal(2, lines.Count);
        foreach (var line in lines)
        {
            Shape.Assert(line, "scope:s name:s bytes:i md5:n adler32:s pfns:o rses:o states:o parents:a", "replica line");
            Assert.Equal(["user.root:fld_cont", "user.root:fld_ds"], line.GetProperty("parents").EnumerateArray().Select(p => p.GetString()).Order());
            var pfns = line.GetProperty("pfns").EnumerateObject().ToList();
            Assert.Equal(2, pfns.Count);   // on FLD-A and, through the rule, FLD-B
            foreach (var p in pfns) Shape.Assert(p.Value, "rse_id:s rse:s type:s volatile:b domain:s priority:i client_extract:b", "pfn");
            Assert.Equal([1, 2], pfns.Select(p => p.Value.GetProperty("priority").GetInt32()));
            foreach (var r in line.GetProperty("rses").EnumerateObject()) Assert.Equal(JsonValueKind.Array, r.Value.ValueKind);
            foreach (var st in line.GetProperty("states").EnumerateObject()) Assert.Equal("AVAILABLE", st.Value.GetString());
        }
        // Without resolve_parents there is no parents key; the older GET form never has one.
        var plain = await s.Api.StreamAsync("POST", "/replicas/list", """{"dids":[{"scope":"user.root","name":"fld_ds"}]}""");
        Shape.Assert(plain[0], "scope:s name:s bytes:i md5:n adler32:s pfns:o rses:o states:o", "replica line without parents");
        var one = await s.Api.StreamAsync("GET", $"/replicas/user.root/{s.Files[0].Name}");
        Shape.Assert(Assert.Single(one), "scope:s name:s bytes:i md5:n adler32:s pfns:o rses:o states:o", "GET replica line");
    }

    [Fact]
    public async Task Dataset_replicas_per_rse()
    {
        var rows = await s.Api.StreamAsync("GET", "/replicas/user.root/fld_ds/datasets?deep=True");
        Assert.Equal(["FLD-A", "FLD-B"], rows.Select(r => r.GetProperty("rse").GetString()));
        foreach (var r in rows)
        {
            Shape.Assert(r, "scope:s name:s rse:s rse_id:s bytes:i length:i available_bytes:i available_length:i state:s created_at:d updated_at:d accessed_at:n", "dataset replica");
            Assert.Equal(2, r.GetProperty("available_length").GetInt32());
            Assert.Equal(r.GetProperty("bytes").GetInt64(), r.GetProperty("available_bytes").GetInt64());
            Assert.Equal("AVAILABLE", r.GetProperty("state").GetString());
        }
    }

    [Fact]
    public async Task Rses_their_protocols_usage_and_stored_location()
    {
        var rows = await s.Api.StreamAsync("GET", "/rses/");
        foreach (var r in rows) Shape.Assert(r, RseRow, "RSE row");
        var a = rows.Single(r => r.GetProperty("rse").GetString() == "FLD-A");
        Assert.Equal("Geneva", a.GetProperty("city").GetString());
        Assert.Equal("513", a.GetProperty("ASN").GetString());
        Assert.Equal(46.23, a.GetProperty("latitude").GetDouble(), 6);
        Assert.Equal("SSD", a.GetProperty("qos_class").GetString());

        var info = await s.Api.JsonAsync("GET", "/rses/FLD-A");
        Shape.Assert(info, RseInfo + " " + RseInfoFerryExtras, "GET /rses/{rse}");
        Assert.Equal("SSD", info.GetProperty("qos_class").GetString());
        foreach (var p in info.GetProperty("protocols").EnumerateArray())
            Shape.Assert(p, "hostname:s scheme:s port:i prefix:s impl:s? domains:o extended_attributes:o?", "protocol");
        foreach (var u in await s.Api.StreamAsync("GET", "/rses/FLD-A/usage"))
            Shape.Assert(u, "rse_id:s rse:s source:s used:i? free:i? total:i? files:i? updated_at:d", "RSE usage");
        Shape.Assert((await s.Api.StreamAsync("GET", "/rses/?expression=FLD-A"))[0], "rse:s", "RSE of an expression");
    }

    [Fact]
    public async Task Accounts_usage_and_limits()
    {
        Shape.Assert(await s.Api.JsonAsync("GET", "/accounts/root"),
            "account:s account_type:s status:s email:s? suspended_at:n deleted_at:n created_at:iso updated_at:iso", "account");
        foreach (var a in await s.Api.StreamAsync("GET", "/accounts/")) Shape.Assert(a, "account:s type:s email:s?", "account line");
        foreach (var a in (await s.Api.JsonAsync("GET", "/accounts/root/attr/")).EnumerateArray()) Shape.Assert(a, "key:s value:b", "account attribute");

        const string local = "rse_id:s rse:s bytes:i files:i bytes_limit:i bytes_remaining:i";
        var usage = await s.Api.StreamAsync("GET", "/accounts/root/usage/local");
        foreach (var u in usage) Shape.Assert(u, local, "local usage");
        var onA = Assert.Single(await s.Api.StreamAsync("GET", "/accounts/root/usage/local/FLD-A"));
        Shape.Assert(onA, local, "local usage of one RSE");
        Assert.Equal(1000000 - onA.GetProperty("bytes").GetInt64(), onA.GetProperty("bytes_remaining").GetInt64());
        var global = Assert.Single(await s.Api.StreamAsync("GET", "/accounts/root/usage/global"));
        Shape.Assert(global, "rse_expression:s bytes:i files:i bytes_limit:i bytes_remaining:i", "global usage");
        Assert.Equal(usage.Where(u => u.GetProperty("rse").GetString() is "FLD-A" or "FLD-B").Sum(u => u.GetProperty("bytes").GetInt64()),
            global.GetProperty("bytes").GetInt64());

        Assert.Equal(1000000, (await s.Api.JsonAsync("GET", "/accounts/root/limits/local")).GetProperty("FLD-A").GetInt64());
        Assert.Equal(1000000, (await s.Api.JsonAsync("GET", "/accounts/root/limits/local/FLD-A")).GetProperty("FLD-A").GetInt64());
        var limits = await s.Api.JsonAsync("GET", "/accounts/root/limits/global");
        Shape.Assert(limits.GetProperty("FLD-A|FLD-B"), "resolved_rses:a resolved_rse_ids:a limit:i", "global limit");
        Assert.Equal(2, limits.GetProperty("FLD-A|FLD-B").GetProperty("resolved_rse_ids").GetArrayLength());
        Assert.Equal(5000000, (await s.Api.JsonAsync("GET", "/accounts/root/limits/global/FLD-A%7CFLD-B")).GetProperty("FLD-A|FLD-B").GetInt64());
    }
}
