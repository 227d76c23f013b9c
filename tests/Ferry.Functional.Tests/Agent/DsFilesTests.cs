using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Agent;

/// <summary>GET /dsfiles: desktop-rucio's listing answers, with exact bytes from the catalogue and a short-lived negative cache.</summary>
public sealed class DsFilesTests(AgentFixture f) : IClassFixture<AgentFixture>
{
    [Fact]
    public async Task Query_queued_then_OK_with_exact_bytes_and_events()
    {
        var files = await AgentData.DatasetAsync(f.Api, f.Rse, f.Prefix, "user.root", "listing_ds", 3, i => 1_000_003 + i);
        using (var meta = await f.Api.SendAsync("POST", "/dids/user.root/listing_ds_0000.dat/meta/events", """{"value":1234}"""))
            Assert.True(meta.IsSuccessStatusCode, await meta.Content.ReadAsStringAsync());

        var first = await f.Agent.GetAsync("/dsfiles?ds_name=user.root:listing_ds");
        Assert.Equal("query queued", first.GetProperty("status").GetString());
        var answer = first;
        await Site.WaitUntilAsync(async () =>
            (answer = await f.Agent.GetAsync("/dsfiles?ds_name=user.root:listing_ds")).GetProperty("status").GetString() == "OK",
            TimeSpan.FromSeconds(20), "the listing");
        var listed = answer.GetProperty("files").EnumerateArray().ToDictionary(e => e[0].GetString()!, e => (Bytes: e[1].GetInt64(), Events: e[2]));
        Assert.Equal(files.Select(x => $"user.root:{x.Name}").Order(), listed.Keys.Order());
        foreach (var file in files) Assert.Equal(file.Content.Length, listed[$"user.root:{file.Name}"].Bytes);
        Assert.Equal(1234, listed["user.root:listing_ds_0000.dat"].Events.GetInt64());
        // Listing is not downloading: nothing was written.
        Assert.False(Directory.Exists(Path.Combine(f.Agent.Dir, "user.root", "listing_ds")));
    }

    [Fact]
    public async Task Does_not_exist_is_cached_only_briefly()
    {
        Assert.Equal("query queued", (await f.Agent.GetAsync("/dsfiles?ds_name=user.root:late_ds")).GetProperty("status").GetString());
        await Site.WaitUntilAsync(async () =>
            (await f.Agent.GetAsync("/dsfiles?ds_name=user.root:late_ds")).GetProperty("status").GetString() == "dataset does not exist",
            TimeSpan.FromSeconds(20), "the negative answer");

        // Registered after the agent was told it does not exist: within the negative cache time (2 s here) it is found.
        await AgentData.DatasetAsync(f.Api, f.Rse, f.Prefix, "user.root", "late_ds", 1, _ => 1000);
        await Site.WaitUntilAsync(async () =>
            (await f.Agent.GetAsync("/dsfiles?ds_name=user.root:late_ds")).GetProperty("status").GetString() == "OK",
            TimeSpan.FromSeconds(20), "the dataset registered later to be listed");
    }

    [Fact]
    public async Task A_malformed_name_is_a_400_with_the_reason()
    {
        foreach (var bad in new[] { "", "noscope", "user.root:../etc", "bad scope!:x" })
        {
            var (status, body) = await f.Agent.SendAsync("GET", $"/dsfiles?ds_name={AgentProcess.Ds(bad)}");
            Assert.Equal(400, status);
            Assert.Equal("bad_name", body.GetProperty("status").GetString());
            Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
        }
    }
}
