using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// DID search filters beyond name and type (guid, metadata, creation dates), replicas declared bad by PFN as Rucio's
/// CLI sends them, and X.509 identities given in the comma form: each pinned to what the real Rucio 41 server does.
/// </summary>
public sealed class SearchFilterAndBadPfnTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private const string Guid = "ae0a65a06f774560a947009067fde7d0";

    private static string Filters(string python) => Uri.EscapeDataString(python);

    private async Task<(string Prefix, TestFile Tagged, TestFile Plain)> Scene()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "SF-A");
        var files = Site.MakeFiles("user.root", "sf", 2, _ => 64);
        foreach (var file in files)
        {
            var path = Path.Combine(prefix, file.HashPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, file.Content);
        }
        var body = JsonSerializer.Serialize(new
        {
            rse = "SF-A",
            files = new object[]
            {
                new { scope = "user.root", name = files[0].Name, bytes = 64, adler32 = files[0].Adler32, state = "A", guid = Guid },
                new { scope = "user.root", name = files[1].Name, bytes = 64, adler32 = files[1].Adler32, state = "A" },
            },
        });
        using (var add = await f.Api.SendAsync("POST", "/replicas", body)) Assert.Equal(201, (int)add.StatusCode);
        using (var meta = await f.Api.SendAsync("POST", $"/dids/user.root/{files[0].Name}/meta/datatype", """{"value":"AOD"}"""))
            Assert.Equal(201, (int)meta.StatusCode);
        return (prefix, files[0], files[1]);
    }

    [Fact]
    public async Task Search_applies_guid_metadata_and_date_filters_and_refuses_what_it_cannot_apply()
    {
        var (_, tagged, _) = await Scene();
        async Task<List<string?>> Names(string filters) =>
            (await f.Api.StreamAsync("GET", $"/dids/user.root/dids/search?type=file&filters={Filters(filters)}")).Select(e => e.GetString()).ToList();
        Assert.Equal([tagged.Name], await Names($"[{{'name': 'sf_*', 'guid': '{Guid}'}}]"));
        Assert.Equal([tagged.Name], await Names("[{'name': 'sf_*', 'datatype': 'AOD'}]"));
        Assert.Empty(await Names("[{'name': 'sf_*', 'datatype': 'ESD'}]"));
        Assert.Equal(2, (await Names("[{'name': 'sf_*', 'created_after': 'Mon, 01 Jan 2024 00:00:00 UTC'}]")).Count);
        Assert.Empty(await Names("[{'name': 'sf_*', 'created_before': 'Mon, 01 Jan 2024 00:00:00 UTC'}]"));
        // A comparison Ferry does not apply is refused: ignoring it would list DIDs the caller excluded.
        using var gt = await f.Api.SendAsync("GET", $"/dids/user.root/dids/search?type=file&filters={Filters("[{'name': '*', 'length.gt': 1}]")}");
        Assert.Contains("length.gt", await RawApi.AssertError(gt, 400, "InvalidObject"));
    }

    [Fact]
    public async Task A_replica_declared_bad_by_its_pfn_becomes_BAD_and_an_unknown_pfn_declares_nothing()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "SF-B");
        var file = Site.MakeFiles("user.root", "sfb", 1, _ => 32)[0];
        await Site.UploadAsync(f.Api, "SF-B", prefix, "sfb_ds", [file]);
        var pfn = $"file://localhost{(prefix.EndsWith('/') ? prefix : prefix + "/")}{file.HashPath}";
        using (var unknown = await f.Api.SendAsync("POST", "/replicas/bad", $$"""{"replicas":["{{pfn}}","file://localhost/nowhere/x"],"reason":"test"}"""))
            Assert.Contains("nowhere", await RawApi.AssertError(unknown, 404, "ReplicaNotFound"));
        var before = await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{"scope":"user.root","name":"{{file.Name}}"}],"all_states":true}""");
        Assert.Equal("AVAILABLE", before[0].GetProperty("states").GetProperty("SF-B").GetString());
        using (var bad = await f.Api.SendAsync("POST", "/replicas/bad", $$"""{"replicas":["{{pfn}}"],"reason":"test"}"""))
            Assert.Equal(201, (int)bad.StatusCode);
        var after = await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{"scope":"user.root","name":"{{file.Name}}"}],"all_states":true}""");
        Assert.Equal("BAD", after[0].GetProperty("states").GetProperty("SF-B").GetString());
    }

    [Fact]
    public async Task An_X509_identity_in_the_comma_form_is_kept_in_the_slash_form_and_found_by_either()
    {
        using (var add = await f.Api.SendAsync("POST", "/accounts/root/identities", """{"identity":"CN=Rucio User,OU=Users,DC=example","authtype":"X509","email":"r@example.org"}"""))
            Assert.Equal(201, (int)add.StatusCode);
        var ids = await f.Api.StreamAsync("GET", "/accounts/root/identities");
        Assert.Contains(ids, i => i.GetProperty("identity").GetString() == "/DC=example/OU=Users/CN=Rucio User");
        foreach (var dn in new[] { "CN=Rucio User,OU=Users,DC=example", "/DC=example/OU=Users/CN=Rucio User" })
        {
            var found = await f.Api.StreamAsync("GET", $"/accounts/?account_type=SERVICE&identity={Uri.EscapeDataString(dn)}");
            Assert.Equal(["root"], found.Select(a => a.GetProperty("account").GetString()));
        }
    }
}
