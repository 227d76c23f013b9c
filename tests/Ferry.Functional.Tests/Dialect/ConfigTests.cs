using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>Rucio's /config API as the real Rucio 41 server answers it: values kept as text, answered coerced; admins only.</summary>
public sealed class ConfigTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Options_set_in_the_body_come_back_coerced_by_section_and_option()
    {
        using var set = await f.Api.SendAsync("POST", "/config",
            """{"cfg_a":{"s":"iddqd","b":"True","i":"543210","f":"3.1415","z":"007","e":"1e3","dot":".","p":"a/b/c/../","q":"a?x=y"},"cfg_b":{"n":5,"t":true}}""");
        Assert.Equal(201, (int)set.StatusCode);
        Assert.Equal("Created", await set.Content.ReadAsStringAsync());

        var all = await f.Api.JsonAsync("GET", "/config");
        Assert.Equal("iddqd", all.GetProperty("cfg_a").GetProperty("s").GetString());
        Assert.True(all.GetProperty("cfg_a").GetProperty("b").GetBoolean());
        Assert.Equal(543210, all.GetProperty("cfg_a").GetProperty("i").GetInt64());
        Assert.Equal(5, all.GetProperty("cfg_b").GetProperty("n").GetInt64());
        Assert.True(all.GetProperty("cfg_b").GetProperty("t").GetBoolean());

        using var section = await f.Api.SendAsync("GET", "/config/cfg_a");
        Assert.Equal("application/json", ContentTypes.Of(section));
        // Floats are written as Python writes them, so a client reads back a float (1000.0, not 1000).
        var text = await section.Content.ReadAsStringAsync();
        Assert.Contains("\"f\":3.1415", text);
        Assert.Contains("\"e\":1000.0", text);
        Assert.Contains("\"z\":7", text);

        foreach (var (option, value) in new[] { ("s", "\"iddqd\""), ("dot", "\".\""), ("p", "\"a/b/c/../\""), ("q", "\"a?x=y\""), ("b", "true") })
        {
            using var one = await f.Api.SendAsync("GET", $"/config/cfg_a/{option}");
            Assert.Equal(200, (int)one.StatusCode);
            Assert.Equal(value, await one.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_path_spelling_sets_an_option_and_missing_ones_are_ConfigNotFound()
    {
        using var put = await f.Api.SendAsync("PUT", "/config/cfg_c/viaurl/True");
        Assert.Equal(201, (int)put.StatusCode);
        Assert.True((await f.Api.JsonAsync("GET", "/config/cfg_c/viaurl")).GetBoolean());

        using var noOption = await f.Api.SendAsync("GET", "/config/cfg_c/nope");
        Assert.Equal("No configuration found for section 'cfg_c' option 'nope'", await RawApi.AssertError(noOption, 404, "ConfigNotFound"));
        using var noSection = await f.Api.SendAsync("GET", "/config/cfg_nope");
        Assert.Equal("No configuration found for section 'cfg_nope'", await RawApi.AssertError(noSection, 404, "ConfigNotFound"));
    }

    [Fact]
    public async Task Options_and_sections_are_removed_once()
    {
        await f.Api.SendAsync("POST", "/config", """{"cfg_d":{"x":"1","y":"2"},"cfg_e":{"x":"1"}}""");
        using var option = await f.Api.SendAsync("DELETE", "/config/cfg_d/x");
        Assert.Equal(200, (int)option.StatusCode);
        using var again = await f.Api.SendAsync("DELETE", "/config/cfg_d/x");
        await RawApi.AssertError(again, 404, "ConfigNotFound");

        using var section = await f.Api.SendAsync("DELETE", "/config/cfg_e");
        Assert.Equal(200, (int)section.StatusCode);
        using var gone = await f.Api.SendAsync("DELETE", "/config/cfg_e");
        await RawApi.AssertError(gone, 404, "ConfigNotFound");
        Assert.False((await f.Api.JsonAsync("GET", "/config")).TryGetProperty("cfg_e", out _));
    }

    [Fact]
    public async Task Bad_bodies_are_refused_and_change_nothing()
    {
        using var notDict = await f.Api.SendAsync("POST", "/config", "[1]");
        Assert.Equal("body must be a json dictionary", await RawApi.AssertError(notDict, 400, "TypeError"));
        using var notSection = await f.Api.SendAsync("POST", "/config", """{"cfg_f":5}""");
        await RawApi.AssertError(notSection, 400, "ValueError");
        // Rucio fails with a database error (500) on a null or structured value; Ferry refuses it and writes nothing.
        using var nullValue = await f.Api.SendAsync("POST", "/config", """{"cfg_f":{"ok":"1","bad":null}}""");
        await RawApi.AssertError(nullValue, 400, "ConfigurationError");
        using var listValue = await f.Api.SendAsync("POST", "/config", """{"cfg_f":{"bad":[1,2]}}""");
        await RawApi.AssertError(listValue, 400, "ConfigurationError");
        using var none = await f.Api.SendAsync("GET", "/config/cfg_f");
        await RawApi.AssertError(none, 404, "ConfigNotFound");
    }

    [Fact]
    public async Task Only_admins_read_or_write_the_configuration()
    {
        await f.Api.SendAsync("POST", "/accounts/cfguser", """{"type":"USER","email":"u@example.org"}""");
        await f.Api.SendAsync("POST", "/accounts/cfguser/identities", """{"identity":"cfguser","authtype":"USERPASS","password":"pw-cfguser","email":"u@example.org"}""");
        var token = await f.Api.TokenAsync("cfguser", "pw-cfguser");
        using var read = await f.Api.SendAsync("GET", "/config", null, token);
        await RawApi.AssertError(read, 401, "AccessDenied");
        using var write = await f.Api.SendAsync("POST", "/config", """{"cfg_g":{"x":"1"}}""", token);
        await RawApi.AssertError(write, 401, "AccessDenied");
        using var none = await f.Api.SendAsync("GET", "/config/cfg_g");
        await RawApi.AssertError(none, 404, "ConfigNotFound");
    }
}
