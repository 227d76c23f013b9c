using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>Bad input gets a 4xx with Rucio's error class and a readable message, and changes nothing.</summary>
public sealed class BadInputTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private async Task<int> DidCount() => (await f.Api.StreamAsync("GET", "/dids/user.root/dids/search?type=all&filters=%5B%7B%27name%27%3A%20%27%2A%27%7D%5D&long=True")).Count;

    [Theory]
    [InlineData("..%2F..%2Fetc")]
    [InlineData("a%2F..%2Fb")]
    [InlineData(".hidden")]
    [InlineData("with%20space")]
    [InlineData("ctl%01char")]
    [InlineData("semi%3Bcolon")]
    public async Task Invalid_did_names_are_refused_with_InvalidObject(string encodedName)
    {
        var before = await DidCount();
        using var resp = await f.Api.SendAsync("POST", $"/dids/user.root/{encodedName}", """{"type":"DATASET"}""");
        var message = await RawApi.AssertError(resp, 400, "InvalidObject");
        Assert.Contains("name", message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await DidCount());
    }

    [Fact]
    public async Task A_name_over_250_characters_is_refused()
    {
        using var resp = await f.Api.SendAsync("POST", $"/dids/user.root/{new string('a', 251)}", """{"type":"DATASET"}""");
        Assert.Contains("250", await RawApi.AssertError(resp, 400, "InvalidObject"));
    }

    [Fact]
    public async Task A_replica_with_a_path_trick_in_its_name_is_refused_and_nothing_is_registered()
    {
        using var resp = await f.Api.SendAsync("POST", "/replicas",
            """{"rse":"LOCAL","files":[{"scope":"user.root","name":"ok_file","bytes":1,"state":"C"},{"scope":"user.root","name":"x/../../../escape","bytes":1,"state":"C"}]}""");
        await RawApi.AssertError(resp, 400, "InvalidObject");
        using var check = await f.Api.SendAsync("GET", "/dids/user.root/ok_file");
        await RawApi.AssertError(check, 404, "DataIdentifierNotFound");
    }

    [Fact]
    public async Task A_missing_scope_is_ScopeNotFound()
    {
        using var resp = await f.Api.SendAsync("POST", "/dids/nosuchscope/ds", """{"type":"DATASET"}""");
        await RawApi.AssertError(resp, 404, "ScopeNotFound");
    }

    [Fact]
    public async Task An_unknown_rse_is_RSENotFound()
    {
        using var resp = await f.Api.SendAsync("GET", "/rses/NO-SUCH-RSE");
        Assert.Contains("NO-SUCH-RSE", await RawApi.AssertError(resp, 404, "RSENotFound"));
    }

    [Theory]
    [InlineData("LOCAL|")]
    [InlineData("(LOCAL")]
    [InlineData("LOCAL)")]
    [InlineData("a b")]
    [InlineData("tier=1.5")]
    public async Task A_malformed_expression_is_InvalidRSEExpression_with_a_position(string expr)
    {
        using var resp = await f.Api.SendAsync("GET", $"/rses/?expression={Uri.EscapeDataString(expr)}");
        var message = await RawApi.AssertError(resp, 400, "InvalidRSEExpression");
        Assert.Contains("position", message);
    }

    [Fact]
    public async Task An_expression_that_selects_nothing_fails_rule_creation()
    {
        await f.Api.SendAsync("POST", "/dids/user.root/empty_expr_ds", """{"type":"DATASET"}""");
        using var resp = await f.Api.SendAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"empty_expr_ds"}],"copies":1,"rse_expression":"tier=99","account":null}""");
        Assert.Contains("empty set", await RawApi.AssertError(resp, 400, "InvalidRSEExpression"));
        Assert.Empty(await f.Api.StreamAsync("GET", "/dids/user.root/empty_expr_ds/rules"));
    }

    [Fact]
    public async Task A_rule_on_a_missing_did_is_DataIdentifierNotFound()
    {
        using var resp = await f.Api.SendAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"no_such_ds"}],"copies":1,"rse_expression":"LOCAL","account":null}""");
        await RawApi.AssertError(resp, 404, "DataIdentifierNotFound");
    }

    [Fact]
    public async Task Too_many_copies_is_InsufficientTargetRSEs()
    {
        await f.Api.SendAsync("POST", "/dids/user.root/copies_ds", """{"type":"DATASET"}""");
        using var resp = await f.Api.SendAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"copies_ds"}],"copies":5,"rse_expression":"LOCAL","account":null}""");
        await RawApi.AssertError(resp, 409, "InsufficientTargetRSEs");
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("99999999999999")]
    [InlineData("\"soon\"")]
    public async Task Absurd_lifetimes_are_refused(string lifetime)
    {
        await f.Api.SendAsync("POST", "/dids/user.root/lifetime_ds", """{"type":"DATASET"}""");
        using var resp = await f.Api.SendAsync("POST", "/rules/", $$"""{"dids":[{"scope":"user.root","name":"lifetime_ds"}],"copies":1,"rse_expression":"LOCAL","account":null,"lifetime":{{lifetime}}}""");
        Assert.InRange((int)resp.StatusCode, 400, 499);
        Assert.Empty(await f.Api.StreamAsync("GET", "/dids/user.root/lifetime_ds/rules"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"type\":")]
    public async Task A_body_that_is_not_json_is_ValueError(string body)
    {
        using var resp = await f.Api.SendAsync("POST", "/dids/user.root/badbody", body);
        await RawApi.AssertError(resp, 400, "ValueError");
    }

    [Fact]
    public async Task A_body_of_the_wrong_shape_is_TypeError_or_KeyError()
    {
        using var list = await f.Api.SendAsync("POST", "/rules/", "[1,2]");
        await RawApi.AssertError(list, 400, "TypeError");
        using var missing = await f.Api.SendAsync("POST", "/rules/", """{"copies":1}""");
        Assert.Contains("dids", await RawApi.AssertError(missing, 400, "KeyError"));
    }

    [Fact]
    public async Task A_wrong_checksum_format_is_refused()
    {
        using var resp = await f.Api.SendAsync("POST", "/replicas", """{"rse":"LOCAL","files":[{"scope":"user.root","name":"cks","bytes":1,"adler32":"xyz","state":"C"}]}""");
        Assert.Contains("adler32", await RawApi.AssertError(resp, 400, "InvalidObject"));
    }

    [Fact]
    public async Task Marking_a_replica_available_without_its_bytes_is_refused()
    {
        using var add = await f.Api.SendAsync("POST", "/replicas", """{"rse":"LOCAL","files":[{"scope":"user.root","name":"nobytes","bytes":3,"adler32":"024d0127","state":"C"}]}""");
        Assert.Equal(201, (int)add.StatusCode);
        using var put = await f.Api.SendAsync("PUT", "/replicas", """{"rse":"LOCAL","files":[{"scope":"user.root","name":"nobytes","state":"A"}]}""");
        await RawApi.AssertError(put, 412, "FileConsistencyMismatch");
        var list = await f.Api.StreamAsync("POST", "/replicas/list", """{"dids":[{"scope":"user.root","name":"nobytes"}],"all_states":true}""");
        Assert.Equal("COPYING", list.Single().GetProperty("states").GetProperty("LOCAL").GetString());
    }

    [Fact]
    public async Task A_locked_rule_cannot_be_deleted()
    {
        await f.Api.SendAsync("POST", "/dids/user.root/locked_ds", """{"type":"DATASET"}""");
        var ids = await f.Api.JsonAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"locked_ds"}],"copies":1,"rse_expression":"LOCAL","account":null,"locked":true}""");
        var id = ids[0].GetString();
        using var del = await f.Api.SendAsync("DELETE", $"/rules/{id}", """{"purge_replicas":null}""");
        await RawApi.AssertError(del, 401, "UnsupportedOperation");
        var rule = await f.Api.JsonAsync("GET", $"/rules/{id}");
        Assert.Equal(JsonValueKindNull, rule.GetProperty("expires_at").ValueKind);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task Unknown_rule_is_RuleNotFound()
    {
        using var resp = await f.Api.SendAsync("GET", "/rules/0123456789abcdef0123456789abcdef");
        await RawApi.AssertError(resp, 404, "RuleNotFound");
    }
}
