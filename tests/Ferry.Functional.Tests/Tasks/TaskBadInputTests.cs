using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Tasks;

/// <summary>Bad task input gets a 4xx with a message a person can act on, and nothing is created.</summary>
public sealed class TaskBadInputTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("""{"input":"user.root:bad_in","command":"cp {input} {outdir}/x","output_scope":"user.root","output_dataset":"o1","output_rse":"LOCAL"}""", 400, "Unknown placeholder {outdir}")]
    [InlineData("""{"input":"user.root:no_such_ds","command":"true","output_scope":"user.root","output_dataset":"o2","output_rse":"LOCAL"}""", 404, "'user.root:no_such_ds' not found")]
    [InlineData("""{"input":"user.root:bad_empty","command":"true","output_scope":"user.root","output_dataset":"o3","output_rse":"LOCAL"}""", 400, "has no files")]
    [InlineData("""{"input":"user.root:bad_in","command":"true","output_scope":"user.root","output_dataset":"o4","output_rse":"LOCAL","executor":"slurm"}""", 400, "slurm executor is not configured")]
    [InlineData("""{"input":"user.root:bad_in","command":"true","output_scope":"user.root","output_dataset":"o5","output_rse":"LOCAL","executor":"condor"}""", 400, "Unknown executor 'condor'")]
    [InlineData("""{"input":"user.root:bad_in","command":"true","output_scope":"user.root","output_dataset":"o6","output_rse":"NOWHERE"}""", 404, "RSE 'NOWHERE' not found")]
    [InlineData("""{"input":"user.root:bad_in","command":"true","output_scope":"user.root","output_dataset":"o7","output_rse":"LOCAL","files_per_job":2,"bytes_per_job":10}""", 400, "not both")]
    [InlineData("""{"input":"user.root:bad_in","command":"true","output_scope":"user.root","output_dataset":"o8","output_rse":"LOCAL","files_per_job":0}""", 400, "at least 1")]
    [InlineData("""{"input":"user.root:bad_in","command":"true",""", 400, "not valid JSON")]
    [InlineData("""{"command":"true","output_scope":"user.root","output_dataset":"o9","output_rse":"LOCAL"}""", 400, "'input' not defined")]
    public async Task Refused_with_a_clear_message_and_nothing_created(string body, int status, string message)
    {
        await Setup();
        using var resp = await f.Api.SendAsync("POST", "/ferry/tasks", body);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(status == (int)resp.StatusCode, $"expected {status}, got {(int)resp.StatusCode}: {text}");
        Assert.Contains(message, System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("ExceptionMessage").GetString());
        Assert.Empty(await f.Api.StreamAsync("GET", "/ferry/tasks"));
    }

    [Fact]
    public async Task Bad_selections_and_actions_are_refused()
    {
        await Setup();
        foreach (var (path, message) in new[]
        {
            ("/ferry/tasks?status=tobekilled", "Unknown task status 'tobekilled'"),
            ("/ferry/tasks?pattern=(open", "not a valid regular expression"),
            ("/ferry/tasks?min_completion=80&max_completion=10", "is above --max-completion"),
            ("/ferry/tasks/table?group_by=[", "not a valid regular expression"),
            ("/ferry/tasks/abc", "A task id is a number"),
        })
        {
            using var resp = await f.Api.SendAsync("GET", path);
            Assert.Contains(message, await RawApi.AssertError(resp, resp.StatusCode == System.Net.HttpStatusCode.NotFound ? 404 : 400, "InvalidObject"));
        }
        using (var noSelection = await f.Api.SendAsync("POST", "/ferry/tasks/bulk/kill", """{"submit":true}"""))
            Assert.Contains("at least one selection criterion", await RawApi.AssertError(noSelection, 400, "InvalidObject"));
        using (var unknown = await f.Api.SendAsync("POST", "/ferry/tasks/1/explode")) Assert.Contains("Unknown task action", await unknown.Content.ReadAsStringAsync());
        using (var notJson = await f.Api.SendAsync("POST", "/ferry/tasks/bulk/retry", """{"selection":{"user":"root"},"params":"nFiles=2"}"""))
            Assert.Contains("must be a JSON object", await RawApi.AssertError(notJson, 400, "InvalidObject"));
    }

    private async Task Setup()
    {
        await f.Api.SendAsync("POST", "/dids/user.root/bad_empty", """{"type":"DATASET"}""");
        if ((await f.Api.SendAsync("GET", "/dids/user.root/bad_in")).IsSuccessStatusCode) return;
        var prefix = Path.Combine(f.Server.Home, "rses", "LOCAL");
        await Site.UploadAsync(f.Api, "LOCAL", prefix, "bad_in", Site.MakeFiles("user.root", "bad_in", 2, _ => 100));
    }
}
