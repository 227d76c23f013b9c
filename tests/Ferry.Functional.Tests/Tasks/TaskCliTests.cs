using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Tasks;

/// <summary>`ferry task` as a person types it: submit from a YAML file or options, list, show, table, bulk actions.</summary>
public sealed class TaskCliTests
{
    [Fact]
    public async Task Submit_from_yaml_and_options_then_list_show_table_and_a_dry_run()
    {
        await using var server = await FerryServer.StartAsync(environment: TaskData.FastRetries);
        using var api = new RawApi(server);
        await TaskData.InputAsync(api, "CLI-IN", "cli_in", 4);
        await Site.AddPosixRseAsync(api, "CLI-OUT");
        var yaml = Path.Combine(TempDirs.Create("taskfile"), "task.yaml");
        await File.WriteAllTextAsync(yaml, """
            # a task file: the same fields as the options
            name: data18.reco.v1
            input: user.root:cli_in
            command: "wc -c {inputs} > {output}/sizes.txt"
            files_per_job: 2
            output_scope: user.root
            output_dataset: cli_out_yaml
            output_rse: CLI-OUT
            max_attempts: 1
            """);
        var fromFile = long.Parse((await Infrastructure.Cli.OkAsync(server, "task", "submit", "--file", yaml)).Trim());
        var fromOptions = long.Parse((await Infrastructure.Cli.OkAsync(server, "task", "submit", "--input", "user.root:cli_in", "--command", "exit 3",
            "--output-scope", "user.root", "--output-dataset", "cli_out_opts", "--output-rse", "CLI-OUT", "--name", "mc20.sim.v1", "--max-attempts", "1")).Trim());
        await TaskData.WaitForStatusAsync(api, fromFile, TimeSpan.FromSeconds(60), "done");
        await TaskData.WaitForStatusAsync(api, fromOptions, TimeSpan.FromSeconds(60), "failed");

        var listed = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(server, "task", "list", "--status", "done", "--status", "failed", "--json")).RootElement;
        Assert.Equal([fromOptions, fromFile], listed.EnumerateArray().Select(t => t.GetProperty("task_id").GetInt64()));
        var shown = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(server, "task", "show", fromFile.ToString(), "--json")).RootElement;
        Assert.Equal(2, shown.GetProperty("jobs").GetInt32());
        Assert.Equal(2, shown.GetProperty("files_per_job").GetInt32());

        var table = await Infrastructure.Cli.OkAsync(server, "task", "table", "--group-by", @"^([a-z]+\d+)\.");
        Assert.Matches(@"data18\s+1\s+0\s+1", table.Replace("│", " "));
        var dry = await Infrastructure.Cli.OkAsync(server, "task", "retry", "--pattern", @"mc\d+\..*");
        Assert.Contains("dry run: 1 of 1 tasks would retry; add --submit to do it", dry);
        Assert.Equal("failed", TaskData.Status(await api.JsonAsync("GET", $"/ferry/tasks/{fromOptions}")));
        var refused = await Infrastructure.Cli.RunAsync(server, "task", "pause", fromFile.ToString());
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("is done: pause is refused", refused.Stderr);
        var usage = await Infrastructure.Cli.RunAsync(server, "task", "kill");
        Assert.Equal(2, usage.ExitCode);
        var missing = await Infrastructure.Cli.RunAsync(server, "task", "submit", "--input", "user.root:cli_in");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--command is required", missing.Stderr);
    }
}
