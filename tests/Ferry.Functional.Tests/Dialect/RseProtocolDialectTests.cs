using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// RSE protocols as Rucio 41's server answers its client (pinned from the real server; Rucio's tests/test_rse.py
/// TestRSEClient protocol tests): added, shown with every domain and operation, updated and deleted by scheme, hostname
/// and port, refused with Rucio's classes.
/// </summary>
public sealed class RseProtocolDialectTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private const string Mock = """{"hostname":"localhost","port":17,"prefix":"/the/files","impl":"rucio.rse.protocols.mock.Default","domains":{"lan":{"read":0},"wan":{"delete":0}},"extended_attributes":{"more":{"value1":1,"value2":0}}}""";

    private async Task<string> NewRse(string name)
    {
        using var add = await f.Api.SendAsync("POST", $"/rses/{name}");
        Assert.Equal(201, (int)add.StatusCode);
        return name;
    }

    private static string Port(int port) => Mock.Replace("\"port\":17", $"\"port\":{port}", StringComparison.Ordinal);

    private async Task<JsonElement> Protocol(string rse, int port) =>
        (await f.Api.JsonAsync("GET", $"/rses/{rse}/protocols")).EnumerateArray().Single(p => p.GetProperty("port").GetInt32() == port);

    [Fact]
    public async Task A_protocol_is_shown_with_every_domain_and_operation_and_null_where_not_offered()
    {
        var rse = await NewRse("RPD-SHOW");
        using (var add = await f.Api.SendAsync("POST", $"/rses/{rse}/protocols/MOCK_READ", Mock))
            Assert.Equal(201, (int)add.StatusCode);
        var p = await Protocol(rse, 17);
        Assert.Equal("MOCK_READ", p.GetProperty("scheme").GetString());
        var lan = p.GetProperty("domains").GetProperty("lan");
        Assert.Equal(0, lan.GetProperty("read").GetInt32());
        Assert.Equal(JsonValueKind.Null, lan.GetProperty("write").ValueKind);
        Assert.Equal(JsonValueKind.Null, lan.GetProperty("delete").ValueKind);
        var wan = p.GetProperty("domains").GetProperty("wan");
        Assert.Equal(0, wan.GetProperty("delete").GetInt32());
        foreach (var op in new[] { "read", "write", "third_party_copy_read", "third_party_copy_write" })
            Assert.Equal(JsonValueKind.Null, wan.GetProperty(op).ValueKind);
        Assert.Equal(1, p.GetProperty("extended_attributes").GetProperty("more").GetProperty("value1").GetInt32());
        // GET by scheme is the RSE's info with all its protocols, as Rucio answers it.
        var info = await f.Api.JsonAsync("GET", $"/rses/{rse}/protocols/ANY");
        Assert.Equal(rse, info.GetProperty("rse").GetString());
        Assert.Single(info.GetProperty("protocols").EnumerateArray());
    }

    [Theory]
    [InlineData("RPD-NOPE", """{"lan":{"read":1}}""", "rucio.x", 404, "RSENotFound")]
    [InlineData(null, """{"FRIENDS":{"read":1}}""", "rucio.x", 404, "RSEProtocolDomainNotSupported")]
    [InlineData(null, """{"lan":{"fly":1}}""", "rucio.x", 400, "RSEOperationNotSupported")]
    [InlineData(null, """{"lan":{"read":1,"delete":-1}}""", "rucio.x", 409, "RSEProtocolPriorityError")]
    [InlineData(null, """{"lan":{"read":1}}""", null, 400, "InvalidObject")]
    public async Task Unusable_protocols_are_refused_with_Rucios_classes_and_not_stored(string? rse, string domains, string? impl, int status, string cls)
    {
        var target = rse ?? await NewRse($"RPD-BAD-{cls.Length}-{status}");
        var body = $$"""{"hostname":"localhost","port":17,"prefix":"/p","domains":{{domains}}{{(impl is null ? "" : $",\"impl\":\"{impl}\"")}}}""";
        using var resp = await f.Api.SendAsync("POST", $"/rses/{target}/protocols/MOCK_Fail", body);
        await RawApi.AssertError(resp, status, cls);
        if (rse is null)
        {
            using var list = await f.Api.SendAsync("GET", $"/rses/{target}/protocols");
            await RawApi.AssertError(list, 404, "RSEProtocolNotSupported");
        }
    }

    [Fact]
    public async Task A_second_protocol_on_the_same_scheme_host_and_port_is_a_Duplicate()
    {
        var rse = await NewRse("RPD-DUP");
        using (var add = await f.Api.SendAsync("POST", $"/rses/{rse}/protocols/MOCK_Duplicate", Mock))
            Assert.Equal(201, (int)add.StatusCode);
        using var again = await f.Api.SendAsync("POST", $"/rses/{rse}/protocols/MOCK_Duplicate", Mock);
        await RawApi.AssertError(again, 409, "Duplicate");
    }

    [Fact]
    public async Task A_protocol_is_updated_by_scheme_hostname_and_port()
    {
        var rse = await NewRse("RPD-UPD");
        foreach (var port in new[] { 17, 11 })
            using (var add = await f.Api.SendAsync("POST", $"/rses/{rse}/protocols/MOCK", Port(port)))
                Assert.Equal(201, (int)add.StatusCode);

        // The client sends the port as a string; a nested domain update changes only the operations it names.
        using (var up = await f.Api.SendAsync("PUT", $"/rses/{rse}/protocols/MOCK/localhost/17",
            """{"prefix":"where/the/files/are","extended_attributes":"Something else","port":"12","domains":{"lan":{"write":3}}}"""))
            Assert.Equal(200, (int)up.StatusCode);
        var p = await Protocol(rse, 12);
        Assert.Equal("where/the/files/are", p.GetProperty("prefix").GetString());
        Assert.Equal("Something else", p.GetProperty("extended_attributes").GetString());
        Assert.Equal(0, p.GetProperty("domains").GetProperty("lan").GetProperty("read").GetInt32());
        Assert.Equal(3, p.GetProperty("domains").GetProperty("lan").GetProperty("write").GetInt32());

        // Rucio's flat column names work too.
        using (var flat = await f.Api.SendAsync("PUT", $"/rses/{rse}/protocols/MOCK/localhost/12", """{"delete_lan":4}"""))
            Assert.Equal(200, (int)flat.StatusCode);
        Assert.Equal(4, (await Protocol(rse, 12)).GetProperty("domains").GetProperty("lan").GetProperty("delete").GetInt32());

        using (var onto = await f.Api.SendAsync("PUT", $"/rses/{rse}/protocols/MOCK/localhost/12", """{"port":11}"""))
            await RawApi.AssertError(onto, 409, "Duplicate");
        using (var negative = await f.Api.SendAsync("PUT", $"/rses/{rse}/protocols/MOCK/localhost/12", """{"domains":{"lan":{"read":-1}}}"""))
            await RawApi.AssertError(negative, 409, "RSEProtocolPriorityError");
        using (var noImpl = await f.Api.SendAsync("PUT", $"/rses/{rse}/protocols/MOCK/localhost/12", """{"impl":null}"""))
            await RawApi.AssertError(noImpl, 400, "InvalidObject");
        // Without hostname and port no protocol matches, as in Rucio.
        using (var bare = await f.Api.SendAsync("PUT", $"/rses/{rse}/protocols/MOCK", """{"prefix":"/x"}"""))
            await RawApi.AssertError(bare, 404, "RSEProtocolNotSupported");
        using (var other = await f.Api.SendAsync("PUT", $"/rses/{rse}/protocols/MOCK_UNDEFINED/localhost/17", """{"delete_lan":0}"""))
            await RawApi.AssertError(other, 404, "RSEProtocolNotSupported");
        using (var missing = await f.Api.SendAsync("PUT", "/rses/RPD-NOPE/protocols/MOCK/localhost/17", """{"prefix":"/x"}"""))
            await RawApi.AssertError(missing, 404, "RSENotFound");
        Assert.Equal(0, (await Protocol(rse, 12)).GetProperty("domains").GetProperty("lan").GetProperty("read").GetInt32());
    }

    [Fact]
    public async Task Protocols_are_deleted_by_scheme_then_hostname_then_port()
    {
        var rse = await NewRse("RPD-DEL");
        foreach (var port in new[] { 17, 29, 42 })
            using (var add = await f.Api.SendAsync("POST", $"/rses/{rse}/protocols/MOCK_DEL", Port(port)))
                Assert.Equal(201, (int)add.StatusCode);
        using (var wrongPort = await f.Api.SendAsync("DELETE", $"/rses/{rse}/protocols/MOCK_DEL/localhost/8443"))
            await RawApi.AssertError(wrongPort, 404, "RSEProtocolNotSupported");
        using (var wrongHost = await f.Api.SendAsync("DELETE", $"/rses/{rse}/protocols/MOCK_DEL/otherhost"))
            await RawApi.AssertError(wrongHost, 404, "RSEProtocolNotSupported");
        using (var one = await f.Api.SendAsync("DELETE", $"/rses/{rse}/protocols/MOCK_DEL/localhost/17"))
            Assert.Equal(200, (int)one.StatusCode);
        Assert.Equal(2, (await f.Api.JsonAsync("GET", $"/rses/{rse}/protocols")).GetArrayLength());
        using (var host = await f.Api.SendAsync("DELETE", $"/rses/{rse}/protocols/MOCK_DEL/localhost"))
            Assert.Equal(200, (int)host.StatusCode);
        using var none = await f.Api.SendAsync("GET", $"/rses/{rse}/protocols");
        await RawApi.AssertError(none, 404, "RSEProtocolNotSupported");
    }

    [Fact]
    public async Task A_distance_is_a_Duplicate_when_added_twice_and_deleted_both_ways_when_bidirectional()
    {
        var a = await NewRse("RPD-DA");
        var b = await NewRse("RPD-DB");
        using (var add = await f.Api.SendAsync("POST", $"/rses/{a}/distances/{b}", """{"distance":1,"bidirectional":true}"""))
            Assert.Equal(201, (int)add.StatusCode);
        Assert.Equal(1, (await f.Api.JsonAsync("GET", $"/rses/{b}/distances/{a}")).GetArrayLength());
        // rucio-admin's tests look for this very message.
        using (var again = await f.Api.SendAsync("POST", $"/rses/{a}/distances/{b}", """{"distance":1}"""))
            Assert.Equal($"Distance from {a} to {b} already exists!", await RawApi.AssertError(again, 409, "Duplicate"));
        using (var del = await f.Api.SendAsync("DELETE", $"/rses/{a}/distances/{b}?bidirectional=True"))
        {
            Assert.Equal(200, (int)del.StatusCode);
            Assert.Equal("Deleted", await del.Content.ReadAsStringAsync());
        }
        Assert.Equal(0, (await f.Api.JsonAsync("GET", $"/rses/{a}/distances/{b}")).GetArrayLength());
        Assert.Equal(0, (await f.Api.JsonAsync("GET", $"/rses/{b}/distances/{a}")).GetArrayLength());
    }

    [Fact]
    public async Task Usage_reported_under_a_source_is_listed_with_its_total_and_kept_in_the_history()
    {
        var rse = await NewRse("RPD-USAGE");
        using (var set = await f.Api.SendAsync("PUT", $"/rses/{rse}/usage", """{"source":"https","used":999200,"free":800,"files":null}"""))
            Assert.Equal(200, (int)set.StatusCode);
        var https = (await f.Api.StreamAsync("GET", $"/rses/{rse}/usage?source=https")).Single();
        Assert.Equal(1000000, https.GetProperty("total").GetInt64());
        Assert.Equal(JsonValueKind.Null, https.GetProperty("files").ValueKind);
        using (var again = await f.Api.SendAsync("PUT", $"/rses/{rse}/usage", """{"source":"https","used":999920,"free":80,"files":50}"""))
            Assert.Equal(200, (int)again.StatusCode);
        var history = await f.Api.StreamAsync("GET", $"/rses/{rse}/usage/history");
        Assert.Equal(2, history.Count);
        Assert.Equal(80, history[0].GetProperty("free").GetInt64());
        Assert.Equal(50, history[0].GetProperty("files").GetInt64());
        // Ferry measures "rucio" (its catalogue) itself: a report under it would contradict that.
        using var measured = await f.Api.SendAsync("PUT", $"/rses/{rse}/usage", """{"source":"rucio","used":1,"free":1}""");
        await RawApi.AssertError(measured, 400, "InvalidObject");
        Assert.Equal(0, (await f.Api.StreamAsync("GET", $"/rses/{rse}/usage?source=rucio")).Single().GetProperty("used").GetInt64());
    }

    [Fact]
    public async Task Rse_settings_attributes_and_account_usage_answer_as_Rucio()
    {
        var rse = await NewRse("RPD-SET");
        using (var unknown = await f.Api.SendAsync("PUT", $"/rses/{rse}", """{"foo":1}"""))
            Assert.Equal("The key 'foo' does not exist for RSE properties.", await RawApi.AssertError(unknown, 400, "InputValidationError"));
        using (var missing = await f.Api.SendAsync("DELETE", $"/rses/{rse}/attr/nokey"))
            Assert.Contains("nokey", await RawApi.AssertError(missing, 404, "RSEAttributeNotFound"));
        var root = (await f.Api.StreamAsync("GET", $"/rses/{rse}/accounts/usage")).Single(a => a.GetProperty("account").GetString() == "root");
        Assert.Equal(rse, root.GetProperty("rse").GetString());
        Assert.Equal(0, root.GetProperty("used_files").GetInt64());
        Assert.Equal(0, root.GetProperty("used_bytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("quota_bytes").ValueKind);
    }
}
