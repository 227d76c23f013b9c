using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// Replica registration and listing as Rucio 41 answers them (pinned from the real server; Rucio's client-mode tests
/// depend on each): priority 0 is a protocol's highest, not "disabled"; unknown DIDs are left out of a listing;
/// ignore_availability and nrandom; registering a replica already there is no error.
/// </summary>
public sealed class ReplicaListingDialectTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    /// <summary>A posix RSE as Rucio's test factories make theirs: every operation at priority 0.</summary>
    private async Task<string> ZeroPriorityRseAsync(string name)
    {
        var prefix = TempDirs.Create(name.ToLowerInvariant());
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", $"/rses/{name}")).StatusCode);
        var protocol = JsonSerializer.Serialize(new
        {
            hostname = "localhost", port = 0, prefix, impl = "rucio.rse.protocols.posix.Default",
            domains = new { lan = new { read = 0, write = 0, delete = 0 }, wan = new { read = 0, write = 0, delete = 0 } },
        });
        using var add = await f.Api.SendAsync("POST", $"/rses/{name}/protocols/file", protocol);
        Assert.True(201 == (int)add.StatusCode, await add.Content.ReadAsStringAsync());
        return prefix;
    }

    private static string Dids(params string[] names) => string.Join(',', names.Select(n => $$"""{"scope":"user.root","name":"{{n}}"}"""));

    [Fact]
    public async Task Priority_0_protocols_give_pfns_and_reregistering_a_replica_changes_nothing()
    {
        var prefix = await ZeroPriorityRseAsync("RLD-ZERO");
        var file = new TestFile("user.root", "rld_zero.dat", "zero priority"u8.ToArray());
        await Site.UploadAsync(f.Api, "RLD-ZERO", prefix, "rld_zero_ds", [file]);

        var line = Assert.Single(await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{{Dids(file.Name)}}]}"""));
        var pfn = Assert.Single(line.GetProperty("pfns").EnumerateObject());
        Assert.StartsWith("file://localhost/", pfn.Name);
        Assert.EndsWith($"/{file.HashPath}", pfn.Name);
        Assert.Equal(1, pfn.Value.GetProperty("priority").GetInt32());
        Assert.Equal("RLD-ZERO", pfn.Value.GetProperty("rse").GetString());

        // The dialect leaves a replica already on the RSE as it is: 201, no Duplicate.
        var again = JsonSerializer.Serialize(new { rse = "RLD-ZERO", files = new[] { new { scope = file.Scope, name = file.Name, bytes = file.Content.Length, adler32 = file.Adler32 } } });
        using var add = await f.Api.SendAsync("POST", "/replicas", again);
        Assert.Equal(201, (int)add.StatusCode);
        line = Assert.Single(await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{{Dids(file.Name)}}]}"""));
        Assert.Equal("AVAILABLE", line.GetProperty("states").GetProperty("RLD-ZERO").GetString());
    }

    [Fact]
    public async Task Unknown_dids_are_left_out_of_a_listing()
    {
        var prefix = await ZeroPriorityRseAsync("RLD-UNKNOWN");
        var file = new TestFile("user.root", "rld_known.dat", "known"u8.ToArray());
        await Site.UploadAsync(f.Api, "RLD-UNKNOWN", prefix, "rld_known_ds", [file]);

        Assert.Empty(await f.Api.StreamAsync("POST", "/replicas/list", """{"dids":[{"scope":"nosuchscope","name":"randomNonExistingDid"}]}"""));
        var lines = await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{{Dids("rld_no_such_file", file.Name)}}]}""");
        Assert.Equal([file.Name], lines.Select(l => l.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Replicas_on_an_rse_blocked_for_reads_are_listed_only_when_availability_is_ignored()
    {
        var prefix = await ZeroPriorityRseAsync("RLD-BLOCKED");
        var file = new TestFile("user.root", "rld_blocked.dat", "blocked"u8.ToArray());
        await Site.UploadAsync(f.Api, "RLD-BLOCKED", prefix, "rld_blocked_ds", [file]);
        using (var block = await f.Api.SendAsync("PUT", "/rses/RLD-BLOCKED", """{"availability_read":false}"""))
            Assert.True(block.IsSuccessStatusCode, await block.Content.ReadAsStringAsync());

        // A file asked for by name is still listed, with no replica; a dataset's files only with one.
        var hidden = Assert.Single(await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{{Dids(file.Name)}}],"ignore_availability":false}"""));
        Assert.Empty(hidden.GetProperty("rses").EnumerateObject());
        Assert.Empty(hidden.GetProperty("pfns").EnumerateObject());
        Assert.Empty(await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{{Dids("rld_blocked_ds")}}],"ignore_availability":false}"""));
        // Without the key the dialect does not ignore availability either; Rucio's client sends true by default.
        Assert.Empty(await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{{Dids("rld_blocked_ds")}}]}"""));
        var shown = Assert.Single(await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{{Dids("rld_blocked_ds")}}],"ignore_availability":true}"""));
        Assert.Equal(["RLD-BLOCKED"], shown.GetProperty("rses").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Nrandom_picks_that_many_files_or_all_when_there_are_fewer()
    {
        var prefix = await ZeroPriorityRseAsync("RLD-RANDOM");
        var files = Site.MakeFiles("user.root", "rld_random", 4, i => 10 + i);
        await Site.UploadAsync(f.Api, "RLD-RANDOM", prefix, "rld_random_ds", files);
        var some = await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{{Dids("rld_random_ds")}}],"nrandom":2,"ignore_availability":true}""");
        Assert.Equal(2, some.Select(l => l.GetProperty("name").GetString()).Distinct().Count());
        Assert.Equal(4, (await f.Api.StreamAsync("POST", "/replicas/list", $$"""{"dids":[{{Dids("rld_random_ds")}}],"nrandom":9}""")).Count);
    }
}
