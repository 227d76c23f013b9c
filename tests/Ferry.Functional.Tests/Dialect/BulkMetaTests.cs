using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>Metadata of many DIDs in one call, as Rucio's set_dids_metadata_bulk: all or nothing.</summary>
public sealed class BulkMetaTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Sets_metadata_on_many_dids_or_on_none()
    {
        foreach (var n in new[] { "bm_a", "bm_b" })
            await f.Api.SendAsync("POST", $"/dids/user.root/{n}", """{"type":"DATASET"}""");
        using var ok = await f.Api.SendAsync("POST", "/dids/bulkdidsmeta",
            """{"dids":[{"scope":"user.root","name":"bm_a","meta":{"run":7}},{"scope":"user.root","name":"bm_b","meta":{"run":8,"events":12}}]}""");
        Assert.Equal(201, (int)ok.StatusCode);
        Assert.Equal(7, (await f.Api.JsonAsync("GET", "/dids/user.root/bm_a/meta?plugin=JSON")).GetProperty("run").GetInt32());
        Assert.Equal(8, (await f.Api.JsonAsync("GET", "/dids/user.root/bm_b/meta?plugin=JSON")).GetProperty("run").GetInt32());

        using var missing = await f.Api.SendAsync("POST", "/dids/bulkdidsmeta",
            """{"dids":[{"scope":"user.root","name":"bm_a","meta":{"run":99}},{"scope":"user.root","name":"bm_nope","meta":{"run":1}}]}""");
        await RawApi.AssertError(missing, 404, "DataIdentifierNotFound");
        Assert.Equal(7, (await f.Api.JsonAsync("GET", "/dids/user.root/bm_a/meta?plugin=JSON")).GetProperty("run").GetInt32());

        using var malformed = await f.Api.SendAsync("POST", "/dids/bulkdidsmeta", """{"dids":[{"scope":"user.root","name":"bm_a"}]}""");
        await RawApi.AssertError(malformed, 400, "KeyError");
    }
}
