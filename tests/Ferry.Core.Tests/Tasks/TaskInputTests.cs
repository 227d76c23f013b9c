using Ferry.Core.Errors;
using Ferry.Core.Tasks;

namespace Ferry.Core.Tests.Tasks;

public sealed class TaskInputTests
{
    [Fact]
    public void Retry_parameters_take_the_whitelist_and_refuse_the_rest_listing_what_is_allowed()
    {
        var p = RetryParameters.Parse("""{"nFiles": 2, "cliParams": "cat {inputs} > {output}/x", "priority": -3, "excludedSite": ["slurm"], "ramCount": 512}""");
        Assert.Equal(2, p["nFiles"].GetInt32());
        var e = Assert.Throws<FerryException>(() => RetryParameters.Parse("""{"nFiles": 2, "memory": 4}"""));
        Assert.Equal("Retry parameter 'memory' is not allowed; allowed: nFiles, nEvents, cliParams, ramCount, priority, site, excludedSite, includedSite", e.Message);
        Assert.Contains("not JSON", Assert.Throws<FerryException>(() => RetryParameters.Parse("{nFiles: 2")).Message);
        Assert.Contains("JSON object", Assert.Throws<FerryException>(() => RetryParameters.Parse("[1]")).Message);
        Assert.Contains("positive whole number", Assert.Throws<FerryException>(() => RetryParameters.Parse("""{"nFiles": 0}""")).Message);
        Assert.Contains("{oops}", Assert.Throws<FerryException>(() => RetryParameters.Parse("""{"cliParams": "echo {oops}"}""")).Message);
        Assert.Empty(RetryParameters.Parse(null));
    }

    [Fact]
    public void Templates_refuse_unknown_placeholders_and_quote_paths()
    {
        var e = Assert.Throws<FerryException>(() => CommandTemplate.Validate("cp {input} {outdir}/a; echo {jobid}"));
        Assert.Contains("{outdir}, {jobid}", e.Message);
        Assert.Throws<FerryException>(() => CommandTemplate.Validate("  "));
        var cmd = CommandTemplate.Render("cat {inputs} > {output}/sum.{job}; echo {{literal}} {input}", ["/d/a b", "/d/it's"], "/w/out", 3);
        Assert.Equal("cat '/d/a b' '/d/it'\\''s' > /w/out/sum.3; echo {literal} '/d/a b'", cmd);
    }

    [Fact]
    public void Splitting_by_files_and_by_bytes()
    {
        var files = Enumerable.Range(1, 50).Select(i => new SplitFile("s", $"f{i:D2}", 10)).Reverse().ToList();
        var byFiles = JobSplitter.Split(files, SplitRule.Of(5, null));
        Assert.Equal(10, byFiles.Count);
        Assert.All(byFiles, j => Assert.Equal(5, j.Count));
        Assert.Equal(["f01", "f02", "f03", "f04", "f05"], byFiles[0].Select(f => f.Name));

        var mixed = new[] { new SplitFile("s", "a", 60), new SplitFile("s", "b", 50), new SplitFile("s", "c", 500), new SplitFile("s", "d", 30), new SplitFile("s", "e", 20) };
        var byBytes = JobSplitter.Split(mixed, SplitRule.Of(null, 100));
        Assert.Equal([["a"], ["b"], ["c"], ["d", "e"]], byBytes.Select(j => j.Select(f => f.Name).ToArray()).ToArray());

        Assert.Throws<FerryException>(() => SplitRule.Of(2, 100));
        Assert.Throws<FerryException>(() => SplitRule.Of(0, null));
        Assert.Equal(1, SplitRule.Of(null, null).FilesPerJob);
    }

    [Fact]
    public void Selection_matches_every_criterion_given_and_the_pattern_whole()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var t = new TaskFacts(1, "data18.reco.v2", "alice", TaskState.Running, now.AddDays(-3), Jobs: 10, JobsFinished: 4, InputFiles: 50, OutputFiles: 20);
        Assert.True(new TaskSelection().Matches(t, now));
        Assert.True(new TaskSelection(User: "alice", States: [TaskState.Paused, TaskState.Running], Days: 5, Pattern: @"data18\..*").Matches(t, now));
        Assert.False(new TaskSelection(Pattern: "data18").Matches(t, now));
        Assert.False(new TaskSelection(Pattern: "reco").Matches(t, now));
        Assert.False(new TaskSelection(Days: 2).Matches(t, now));
        Assert.False(new TaskSelection(User: "bob").Matches(t, now));
        Assert.True(new TaskSelection(MinCompletion: 40, MaxCompletion: 40).Matches(t, now));
        Assert.False(new TaskSelection(MinCompletion: 41).Matches(t, now));
        Assert.True(new TaskSelection(IoMismatch: true).Matches(t, now));
        Assert.False(new TaskSelection(IoMismatch: true).Matches(t with { OutputFiles = 50 }, now));
        Assert.Throws<FerryException>(() => new TaskSelection(Pattern: "(unclosed"));
        Assert.Throws<FerryException>(() => new TaskSelection(MinCompletion: 80, MaxCompletion: 20).Validate());
    }

    [Fact]
    public void Status_table_groups_by_the_first_capture()
    {
        var table = StatusTable.Build([("data18.a", TaskState.Done), ("data18.b", TaskState.Failed), ("data17.c", TaskState.Done), ("mc.x", TaskState.Done)], @"^(data\d+)\.");
        Assert.Equal(["(other)", "data17", "data18"], table.Keys);
        Assert.Equal(1, table["data18"][TaskState.Failed]);
        Assert.Equal(1, table["(other)"][TaskState.Done]);
    }
}
