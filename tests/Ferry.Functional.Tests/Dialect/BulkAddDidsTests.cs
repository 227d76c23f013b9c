using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>POST /dids adds a list of collections in one transaction: one refused leaves none of the others behind (found by the fuzz suite).</summary>
public sealed class BulkAddDidsTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("""[{"scope":"user.root","name":"bulk_a","type":"DATASET"},{"scope":"user.root","name":"bulk_a","type":"DATASET"}]""", "bulk_a", 409, "DataIdentifierAlreadyExists")]
    [InlineData("""[{"scope":"user.root","name":"bulk_b","type":"DATASET"},{"scope":"user.root","name":"bulk_existing","type":"DATASET"}]""", "bulk_b", 409, "DataIdentifierAlreadyExists")]
    [InlineData("""[{"scope":"user.root","name":"bulk_c","type":"DATASET"},{"scope":"nosuchscope","name":"bulk_d","type":"DATASET"}]""", "bulk_c", 404, "ScopeNotFound")]
    public async Task A_list_with_one_refused_did_adds_none(string body, string first, int status, string exceptionClass)
    {
        using (var existing = await f.Api.SendAsync("POST", "/dids/user.root/bulk_existing", """{"type":"DATASET"}"""))
            Assert.True((int)existing.StatusCode is 201 or 409);
        using var resp = await f.Api.SendAsync("POST", "/dids", body);
        await RawApi.AssertError(resp, status, exceptionClass);
        using var check = await f.Api.SendAsync("GET", $"/dids/user.root/{first}");
        await RawApi.AssertError(check, 404, "DataIdentifierNotFound");
    }

    [Fact]
    public async Task A_list_of_new_dids_is_added_whole()
    {
        using var resp = await f.Api.SendAsync("POST", "/dids", """[{"scope":"user.root","name":"bulk_e","type":"DATASET"},{"scope":"user.root","name":"bulk_f","type":"CONTAINER"}]""");
        Assert.Equal(201, (int)resp.StatusCode);
        Assert.Equal("CONTAINER", (await f.Api.JsonAsync("GET", "/dids/user.root/bulk_f")).GetProperty("type").GetString());
    }
}
