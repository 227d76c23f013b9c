using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>Rucio's /export and /import of RSEs and distances: settings and attributes travel, protocols are never rewritten.</summary>
public sealed class ImportExportTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Import_sets_settings_attributes_and_distances_and_export_gives_them_back()
    {
        await Site.AddPosixRseAsync(f.Api, "IE-A");
        using (var imp = await f.Api.SendAsync("POST", "/import", """
            {"rses":{"IE-A":{"country_name":"ATLASIMPORTDATA","attributes":{"tier":"2"}},"IE-NEW":{"rse_type":"DISK","city":"Geneva"}},
             "distances":{"IE-A":{"IE-NEW":{"distance":3}}}}
            """))
            Assert.Equal(201, (int)imp.StatusCode);
        Assert.Equal(["IE-A"], (await f.Api.StreamAsync("GET", "/rses/?expression=country_name%3DATLASIMPORTDATA")).Select(r => r.GetProperty("rse").GetString()));
        var export = await f.Api.JsonAsync("GET", "/export");
        var a = export.GetProperty("rses").GetProperty("IE-A");
        Assert.Equal("ATLASIMPORTDATA", a.GetProperty("country_name").GetString());
        Assert.Equal("2", a.GetProperty("attributes").GetProperty("tier").ToString());
        Assert.Equal("file", a.GetProperty("protocols")[0].GetProperty("scheme").GetString());
        Assert.Equal("Geneva", export.GetProperty("rses").GetProperty("IE-NEW").GetProperty("city").GetString());
        Assert.Equal(3, export.GetProperty("distances").GetProperty("IE-A").GetProperty("IE-NEW").GetProperty("distance").GetInt32());
        // The export goes back in unchanged: its protocols are the ones already there.
        using var again = await f.Api.SendAsync("POST", "/import", "{\"rses\":{\"IE-A\":" + a.GetRawText() + "}}");
        Assert.Equal(201, (int)again.StatusCode);
    }

    [Theory]
    [InlineData("""{"rses":{"IE-B":{"protocols":[{"scheme":"file","hostname":"localhost","port":0,"prefix":"/elsewhere"}]}}}""", "protocols")]
    [InlineData("""{"rses":{"IE-B":{"bogus":1}}}""", "bogus")]
    [InlineData("""{"accounts":{}}""", "accounts")]
    [InlineData("""{"rses":{"IE-B":{"city":"Bern"}},"distances":{"IE-B":{"IE-NOWHERE":{"distance":1}}}}""", "IE-NOWHERE")]
    public async Task A_document_with_anything_Ferry_will_not_import_changes_nothing(string body, string named)
    {
        using var resp = await f.Api.SendAsync("POST", "/import", body);
        Assert.InRange((int)resp.StatusCode, 400, 404);
        Assert.Contains(named, await resp.Content.ReadAsStringAsync());
        using var rse = await f.Api.SendAsync("GET", "/rses/IE-B");
        await RawApi.AssertError(rse, 404, "RSENotFound");
    }
}
