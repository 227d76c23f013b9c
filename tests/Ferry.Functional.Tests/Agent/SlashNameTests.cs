using Ferry.Functional.Tests.Data;

namespace Ferry.Functional.Tests.Agent;

/// <summary>A CMS-style dataset (its name and its files' names start with '/') lands under the agent's DIR/SCOPE/, as Rucio's client places it.</summary>
public sealed class SlashNameTests(AgentFixture f) : IClassFixture<AgentFixture>
{
    [Fact]
    public async Task A_slash_rooted_dataset_downloads_under_dir_and_is_removed_from_there()
    {
        const string dataset = "/store/agent/Run2/block7";
        var did = $"user.root:{dataset}";
        var files = await SlashNameDownloadTests.CmsDatasetAsync(f.Api, f.Rse, f.Prefix, dataset, "ag");

        var (status, post) = await f.Agent.SendAsync("POST", $"/ds?ds_name={AgentProcess.Ds(did)}");
        Assert.True(status is 200 or 202, post.ToString());
        var local = await f.Agent.WaitForDatasetAsync(did, "local", TimeSpan.FromSeconds(60));
        var expected = files.Select(x => $"user.root/store/agent/Run2/block7/{SlashNameDownloadTests.InDataset(x)}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, AgentData.FileList(local));
        foreach (var (file, relative) in files.Zip(files.Select(x => $"user.root/store/agent/Run2/block7/{SlashNameDownloadTests.InDataset(x)}")))
            Assert.Equal(Infrastructure.Site.Sha(file.Content), Infrastructure.Site.Sha(await File.ReadAllBytesAsync(Path.Combine(f.Agent.Dir, relative))));

        var (deleted, _) = await f.Agent.SendAsync("DELETE", $"/ds?ds_name={AgentProcess.Ds(did)}");
        Assert.Equal(200, deleted);
        Assert.False(Directory.Exists(Path.Combine(f.Agent.Dir, "user.root", "store")), "the emptied directories above the dataset go too");
    }

    [Fact]
    public async Task Two_files_bound_for_one_path_fail_the_dataset_before_anything_is_written()
    {
        const string did = "user.root:/store/agent/clash";
        await SlashNameDownloadTests.DatasetAsync(f.Api, f.Rse, f.Prefix, "/store/agent/clash", ["/store/agent/p/same.root", "/store/agent/q/same.root"]);
        var (status, post) = await f.Agent.SendAsync("POST", $"/ds?ds_name={AgentProcess.Ds(did)}");
        Assert.True(status is 200 or 202, post.ToString());
        var failed = await f.Agent.WaitForDatasetAsync(did, "failed", TimeSpan.FromSeconds(60));
        Assert.Contains("user.root:/store/agent/p/same.root and user.root:/store/agent/q/same.root would both land at user.root/store/agent/clash/same.root",
            failed.GetProperty("error").GetString());
        Assert.False(Directory.Exists(Path.Combine(f.Agent.Dir, "user.root", "store", "agent", "clash")));
    }
}
