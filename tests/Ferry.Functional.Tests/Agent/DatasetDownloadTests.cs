using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Agent;

/// <summary>GET, POST and DELETE /ds: a GET never starts anything, a POST downloads verified files, a DELETE removes them.</summary>
public sealed class DatasetDownloadTests(AgentFixture f) : IClassFixture<AgentFixture>
{
    [Fact]
    public async Task Get_never_starts_post_downloads_delete_removes()
    {
        var files = await AgentData.DatasetAsync(f.Api, f.Rse, f.Prefix, "user.root", "dl_ds", 6, i => 700_000 * (i + 1));
        var get = await f.Agent.GetAsync("/ds?ds_name=user.root:dl_ds");
        Assert.Equal("not_on_server", get.GetProperty("status").GetString());
        Assert.Empty(get.GetProperty("filelist").EnumerateArray());
        await Task.Delay(1000);
        Assert.Equal("not_on_server", (await f.Agent.GetAsync("/ds?ds_name=user.root:dl_ds")).GetProperty("status").GetString());
        Assert.False(Directory.Exists(Path.Combine(f.Agent.Dir, "user.root", "dl_ds")));

        var (status, post) = await f.Agent.SendAsync("POST", "/ds?ds_name=user.root:dl_ds");
        Assert.True(status is 200 or 202, post.ToString());
        Assert.Contains(post.GetProperty("status").GetString(), new[] { "downloading", "local" });
        var local = await f.Agent.WaitForDatasetAsync("user.root:dl_ds", "local", TimeSpan.FromSeconds(60));
        Assert.Equal(files.Select(x => $"user.root/dl_ds/{x.Name}").Order(StringComparer.Ordinal), AgentData.FileList(local));
        Assert.Equal(files.Sum(x => x.Content.Length), local.GetProperty("bytes_total").GetInt64());
        Assert.Equal(local.GetProperty("bytes_total").GetInt64(), local.GetProperty("bytes_done").GetInt64());
        Assert.Equal(6, local.GetProperty("files_done").GetInt32());
        AgentData.AssertLocal(f.Agent.Dir, "user.root", "dl_ds", files);

        // Asking again joins what is there: the answer is local at once, nothing is fetched again.
        var (again, body) = await f.Agent.SendAsync("POST", "/ds?ds_name=user.root:dl_ds");
        Assert.Equal(200, again);
        Assert.Equal("local", body.GetProperty("status").GetString());

        var (deleted, _) = await f.Agent.SendAsync("DELETE", "/ds?ds_name=user.root:dl_ds");
        Assert.Equal(200, deleted);
        Assert.False(Directory.Exists(Path.Combine(f.Agent.Dir, "user.root", "dl_ds")));
        Assert.Equal("not_on_server", (await f.Agent.GetAsync("/ds?ds_name=user.root:dl_ds")).GetProperty("status").GetString());
        Assert.Equal(404, (await f.Agent.SendAsync("DELETE", "/ds?ds_name=user.root:dl_ds")).Status);
    }

    [Fact]
    public async Task A_bare_name_takes_its_scope_from_the_part_before_the_first_dot()
    {
        using (var scope = await f.Api.SendAsync("POST", "/accounts/root/scopes/data18"))
            Assert.True((int)scope.StatusCode is 201 or 409, await scope.Content.ReadAsStringAsync());
        var files = await AgentData.DatasetAsync(f.Api, f.Rse, f.Prefix, "data18", "data18.run1.AOD", 2, _ => 50_000);
        var (status, _) = await f.Agent.SendAsync("POST", "/ds?ds_name=data18.run1.AOD");
        Assert.True(status is 200 or 202);
        var local = await f.Agent.WaitForDatasetAsync("data18.run1.AOD", "local", TimeSpan.FromSeconds(60));
        Assert.Equal("data18:data18.run1.AOD", local.GetProperty("did").GetString());
        AgentData.AssertLocal(f.Agent.Dir, "data18", "data18.run1.AOD", files);
    }

    [Fact]
    public async Task A_container_downloads_all_its_datasets()
    {
        var a = await AgentData.DatasetAsync(f.Api, f.Rse, f.Prefix, "user.root", "cont_a", 2, _ => 100_000);
        var b = await AgentData.DatasetAsync(f.Api, f.Rse, f.Prefix, "user.root", "cont_b", 3, _ => 120_000);
        using (var c = await f.Api.SendAsync("POST", "/dids/user.root/cont_all", """{"type":"CONTAINER"}"""))
            Assert.Equal(201, (int)c.StatusCode);
        using (var att = await f.Api.SendAsync("POST", "/dids/user.root/cont_all/dids", """{"dids":[{"scope":"user.root","name":"cont_a"},{"scope":"user.root","name":"cont_b"}]}"""))
            Assert.Equal(201, (int)att.StatusCode);

        var (status, _) = await f.Agent.SendAsync("POST", "/ds?ds_name=user.root:cont_all");
        Assert.True(status is 200 or 202);
        var local = await f.Agent.WaitForDatasetAsync("user.root:cont_all", "local", TimeSpan.FromSeconds(60));
        Assert.Equal(5, AgentData.FileList(local).Count);
        Assert.Equal(["user.root:cont_a", "user.root:cont_b"], local.GetProperty("datasets").EnumerateArray().Select(e => e.GetString()!).Order());
        AgentData.AssertLocal(f.Agent.Dir, "user.root", "cont_a", a);
        AgentData.AssertLocal(f.Agent.Dir, "user.root", "cont_b", b);

        Assert.Equal(200, (await f.Agent.SendAsync("DELETE", "/ds?ds_name=user.root:cont_all")).Status);
        Assert.False(Directory.Exists(Path.Combine(f.Agent.Dir, "user.root", "cont_a")));
        Assert.Equal("not_on_server", (await f.Agent.GetAsync("/ds?ds_name=user.root:cont_b")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_file_an_unknown_dataset_and_malformed_names_are_refused_clearly()
    {
        var files = await AgentData.DatasetAsync(f.Api, f.Rse, f.Prefix, "user.root", "refuse_ds", 1, _ => 1000);
        var (fileStatus, file) = await f.Agent.SendAsync("POST", $"/ds?ds_name=user.root:{files[0].Name}");
        Assert.Equal(400, fileStatus);
        Assert.Equal("not_a_dataset", file.GetProperty("status").GetString());

        var (missingStatus, missing) = await f.Agent.SendAsync("POST", "/ds?ds_name=user.root:no_such_ds");
        Assert.Equal(404, missingStatus);
        Assert.Equal("does_not_exist", missing.GetProperty("status").GetString());

        foreach (var bad in new[] { "noscope", "user.root:a/../../b", "user.root:" })
        {
            var (status, body) = await f.Agent.SendAsync("POST", $"/ds?ds_name={AgentProcess.Ds(bad)}");
            Assert.Equal(400, status);
            Assert.Equal("bad_name", body.GetProperty("status").GetString());
        }
        Assert.False(Directory.Exists(Path.Combine(f.Agent.Dir, "user.root", "no_such_ds")));
        Assert.Equal("not_on_server", (await f.Agent.GetAsync("/ds?ds_name=user.root:no_such_ds")).GetProperty("status").GetString());
    }
}
