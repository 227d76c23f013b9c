using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// DID metadata views, scope listings, recursive search, lookup by GUID, samples and detaching, as the real Rucio 41
/// server answers them to its client.
/// </summary>
public sealed class DidListingTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private async Task Dataset(string name, string type = "DATASET") =>
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", $"/dids/user.root/{name}", $$"""{"type":"{{type}}"}""")).StatusCode);

    private async Task Attach(string parent, params string[] children)
    {
        var dids = string.Join(",", children.Select(c => $$"""{"scope":"user.root","name":"{{c}}"}"""));
        using var r = await f.Api.SendAsync("POST", $"/dids/user.root/{parent}/dids", $$"""{"dids":[{{dids}}]}""");
        Assert.Equal(201, (int)r.StatusCode);
    }

    /// <summary>Files registered as COPYING replicas: catalogue entries whose bytes nothing has verified yet.</summary>
    private async Task Files(params (string Name, string Guid)[] files)
    {
        var list = string.Join(",", files.Select(x =>
            $$$"""{"scope":"user.root","name":"{{{x.Name}}}","bytes":1,"adler32":"0cc737eb","state":"C","meta":{"guid":"{{{x.Guid}}}"}}"""));
        using var r = await f.Api.SendAsync("POST", "/replicas", $$"""{"rse":"LOCAL","files":[{{list}}]}""");
        Assert.Equal(201, (int)r.StatusCode);
    }

    [Fact]
    public async Task Rucio_column_keys_show_in_the_default_view_and_other_keys_in_the_json_view()
    {
        await Dataset("lm_ds");
        using var set = await f.Api.SendAsync("POST", "/dids/user.root/lm_ds/meta/project", """{"value":"data13_hip"}""");
        Assert.Equal(201, (int)set.StatusCode);
        await f.Api.SendAsync("POST", "/dids/user.root/lm_ds/meta/mykey", """{"value":"v1"}""");

        var columns = await f.Api.JsonAsync("GET", "/dids/user.root/lm_ds/meta");
        Assert.Equal("data13_hip", columns.GetProperty("project").GetString());
        Assert.False(columns.TryGetProperty("mykey", out _));
        var json = await f.Api.JsonAsync("GET", "/dids/user.root/lm_ds/meta?plugin=JSON");
        Assert.Equal("v1", json.GetProperty("mykey").GetString());
        Assert.False(json.TryGetProperty("project", out _));
        var all = await f.Api.JsonAsync("GET", "/dids/user.root/lm_ds/meta?plugin=ALL");
        Assert.Equal("data13_hip", all.GetProperty("project").GetString());
        Assert.Equal("v1", all.GetProperty("mykey").GetString());

        var bulk = await f.Api.StreamAsync("POST", "/dids/bulkmeta", """{"dids":[{"scope":"user.root","name":"lm_ds"}],"inherit":false,"plugin":"DID_COLUMN"}""");
        Assert.Equal("data13_hip", Assert.Single(bulk).GetProperty("project").GetString());
        var bulkJson = Assert.Single(await f.Api.StreamAsync("POST", "/dids/bulkmeta", """{"dids":[{"scope":"user.root","name":"lm_ds"}],"plugin":"JSON"}"""));
        Assert.Equal(["scope", "name", "mykey"], bulkJson.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_scope_listing_starts_at_the_top_dids_and_names_each_childs_parent()
    {
        await f.Api.SendAsync("POST", "/accounts/root/scopes/lst.scope");
        foreach (var (n, t) in new[] { ("top_c", "CONTAINER"), ("mid_d", "DATASET") })
            Assert.Equal(201, (int)(await f.Api.SendAsync("POST", $"/dids/lst.scope/{n}", $$"""{"type":"{{t}}"}""")).StatusCode);
        using var att = await f.Api.SendAsync("POST", "/dids/lst.scope/top_c/dids", """{"dids":[{"scope":"lst.scope","name":"mid_d"}]}""");
        Assert.Equal(201, (int)att.StatusCode);

        var flat = await f.Api.StreamAsync("GET", "/dids/lst.scope/");
        var top = Assert.Single(flat);
        Assert.Equal("top_c", top.GetProperty("name").GetString());
        Assert.Equal("CONTAINER", top.GetProperty("type").GetString());
        Assert.Equal(0, top.GetProperty("level").GetInt32());
        Assert.Equal(JsonValueKind.Null, top.GetProperty("parent").ValueKind);
        Assert.Equal(JsonValueKind.Null, top.GetProperty("bytes").ValueKind);

        var deep = await f.Api.StreamAsync("GET", "/dids/lst.scope/?recursive=True");
        Assert.Equal(["top_c", "mid_d"], deep.Select(d => d.GetProperty("name").GetString()));
        Assert.Equal(1, deep[1].GetProperty("level").GetInt32());
        Assert.Equal("top_c", deep[1].GetProperty("parent").GetProperty("name").GetString());
        Assert.Equal("lst.scope", deep[1].GetProperty("parent").GetProperty("scope").GetString());

        var content = Assert.Single(await f.Api.StreamAsync("GET", "/dids/lst.scope/?name=top_c"));
        Assert.Equal("mid_d", content.GetProperty("name").GetString());
        using var missing = await f.Api.SendAsync("GET", "/dids/lst.scope/?name=nope");
        await RawApi.AssertError(missing, 404, "DataIdentifierNotFound");
    }

    [Fact]
    public async Task A_recursive_search_lists_the_content_of_what_matches()
    {
        await Dataset("rs_c", "CONTAINER");
        await Dataset("rs_d");
        await Attach("rs_c", "rs_d");
        var flat = await f.Api.StreamAsync("GET", "/dids/user.root/dids/search?type=all&filters=%5B%7B%27name%27%3A+%27rs_c%27%7D%5D");
        Assert.Equal(["rs_c"], flat.Select(d => d.GetString()));
        var deep = await f.Api.StreamAsync("GET", "/dids/user.root/dids/search?type=all&filters=%5B%7B%27name%27%3A+%27rs_c%27%7D%5D&recursive=True");
        Assert.Equal(["rs_c", "rs_d"], deep.Select(d => d.GetString()).Order());
        var containers = await f.Api.StreamAsync("GET", "/dids/user.root/dids/search?type=container&filters=%5B%7B%27name%27%3A+%27rs_c%27%7D%5D&recursive=True");
        Assert.Equal(["rs_c"], containers.Select(d => d.GetString()));
    }

    [Fact]
    public async Task The_datasets_of_a_file_are_found_by_its_guid()
    {
        await Files(("guid_f", "6cf295b6ec474b7fb885fbdbc231a7b5"));
        await Dataset("guid_ds");
        await Attach("guid_ds", "guid_f");
        var found = Assert.Single(await f.Api.StreamAsync("GET", "/dids/6cf295b6ec474b7fb885fbdbc231a7b5/guid"));
        Assert.Equal("user.root", found.GetProperty("scope").GetString());
        Assert.Equal("guid_ds", found.GetProperty("name").GetString());
        using var none = await f.Api.SendAsync("GET", "/dids/00000000000000000000000000000000/guid");
        Assert.Contains("GUID", await RawApi.AssertError(none, 404, "DataIdentifierNotFound"));
    }

    [Fact]
    public async Task A_sample_takes_the_asked_number_of_files_of_its_input()
    {
        await Files(("smp_1", "a1000000000000000000000000000001"), ("smp_2", "a1000000000000000000000000000002"), ("smp_3", "a1000000000000000000000000000003"));
        await Dataset("smp_in");
        await Attach("smp_in", "smp_1", "smp_2", "smp_3");
        using var r = await f.Api.SendAsync("POST", "/dids/sample",
            """{"input_scope":"user.root","input_name":"smp_in","output_scope":"user.root","output_name":"smp_out","nbfiles":"2"}""");
        Assert.Equal(201, (int)r.StatusCode);
        Assert.Equal(2, (await f.Api.StreamAsync("GET", "/dids/user.root/smp_out/files")).Count);
        using var bad = await f.Api.SendAsync("POST", "/dids/sample",
            """{"input_scope":"user.root","input_name":"smp_in","output_scope":"user.root","output_name":"smp_bad","nbfiles":"two"}""");
        await RawApi.AssertError(bad, 400, "InvalidObject");
    }

    [Fact]
    public async Task A_collection_cannot_be_detached_from_itself()
    {
        await Dataset("sd_c", "CONTAINER");
        await Dataset("sd_d");
        await Attach("sd_c", "sd_d");
        using var self = await f.Api.SendAsync("DELETE", "/dids/user.root/sd_c/dids", """{"dids":[{"scope":"user.root","name":"sd_c"}]}""");
        Assert.Equal("Self-detach is not valid.", await RawApi.AssertError(self, 409, "UnsupportedOperation"));
    }

    [Fact]
    public async Task Attaching_with_an_rse_skips_the_replicas_it_holds_and_registers_nothing_for_a_container()
    {
        await Files(("att_f", "c1000000000000000000000000000001"));
        await Dataset("att_d1");
        await Dataset("att_d2");
        await Attach("att_d1", "att_f");
        // The file already has its (unverified) replica on LOCAL: attaching it with the RSE to a second dataset is no duplicate.
        using var again = await f.Api.SendAsync("POST", "/dids/user.root/att_d2/dids",
            """{"rse":"LOCAL","dids":[{"scope":"user.root","name":"att_f","bytes":1,"adler32":"0cc737eb"}]}""");
        Assert.Equal(201, (int)again.StatusCode);
        Assert.Equal("att_f", Assert.Single(await f.Api.StreamAsync("GET", "/dids/user.root/att_d2/dids")).GetProperty("name").GetString());

        await Dataset("att_c", "CONTAINER");
        using var toContainer = await f.Api.SendAsync("POST", "/dids/user.root/att_c/dids",
            """{"rse":"LOCAL","dids":[{"scope":"user.root","name":"att_new","bytes":1,"adler32":"0cc737eb"}]}""");
        Assert.False(toContainer.IsSuccessStatusCode);
        using var none = await f.Api.SendAsync("GET", "/dids/user.root/att_new");
        await RawApi.AssertError(none, 404, "DataIdentifierNotFound");
    }

    [Fact]
    public async Task A_pfn_off_the_deterministic_path_or_an_existing_dataset_refuses_the_add_before_anything_is_written()
    {
        using var foreign = await f.Api.SendAsync("POST", "/dids/user.root/pfn_ds",
            """{"type":"DATASET","rse":"LOCAL","dids":[{"scope":"user.root","name":"pfn_f","bytes":1,"adler32":"0cc737eb","pfn":"file:///elsewhere/pfn_f"}]}""");
        await RawApi.AssertError(foreign, 400, "InvalidPath");
        using var noFile = await f.Api.SendAsync("GET", "/dids/user.root/pfn_f");
        await RawApi.AssertError(noFile, 404, "DataIdentifierNotFound");
        using var noDataset = await f.Api.SendAsync("GET", "/dids/user.root/pfn_ds");
        await RawApi.AssertError(noDataset, 404, "DataIdentifierNotFound");

        await Dataset("pfn_exists");
        using var twice = await f.Api.SendAsync("POST", "/dids/user.root/pfn_exists",
            """{"type":"DATASET","rse":"LOCAL","dids":[{"scope":"user.root","name":"pfn_g","bytes":1,"adler32":"0cc737eb","pfn":"file:///elsewhere/pfn_g"}]}""");
        await RawApi.AssertError(twice, 409, "DataIdentifierAlreadyExists");
        using var noG = await f.Api.SendAsync("GET", "/dids/user.root/pfn_g");
        await RawApi.AssertError(noG, 404, "DataIdentifierNotFound");
    }
}
