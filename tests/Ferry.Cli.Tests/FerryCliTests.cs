using System.CommandLine;

namespace Ferry.Cli.Tests;

/// <summary>The command tree as data: built once, parsed against, never invoked (nothing is sent anywhere).</summary>
public sealed class FerryCliTests
{
    private static readonly RootCommand Root = FerryCli.BuildRoot();

    private static IEnumerable<(string Path, Command Command)> All(Command c, string path)
    {
        yield return (path, c);
        foreach (var sub in c.Subcommands)
            foreach (var x in All(sub, $"{path} {sub.Name}")) yield return x;
    }

    [Fact]
    public void Every_command_has_a_description()
    {
        var missing = All(Root, "ferry").Where(x => string.IsNullOrWhiteSpace(x.Command.Description)).Select(x => x.Path).ToList();
        Assert.True(missing.Count == 0, "commands without a description:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Sibling_commands_have_distinct_names()
    {
        foreach (var (path, command) in All(Root, "ferry"))
        {
            var names = command.Subcommands.SelectMany(s => s.Aliases.Prepend(s.Name)).ToList();
            Assert.True(names.Count == names.Distinct().Count(), $"{path} has two subcommands named alike: {string.Join(", ", names)}");
        }
    }

    [Fact]
    public void The_rucio_verbs_and_ferrys_own_are_there()
    {
        var top = Root.Subcommands.Select(c => c.Name).ToHashSet();
        foreach (var verb in new[] { "server", "worker", "db", "agent", "account", "rse", "did", "replica", "rule", "upload", "download", "data", "task", "sync" })
            Assert.Contains(verb, top);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("rule --help")]
    [InlineData("rule add user.a:ds1 --rse-expr SITE_A --copies 2 --grouping ALL")]
    [InlineData("worker --help")]
    public void Well_written_command_lines_parse_without_errors(string line)
    {
        var parse = Root.Parse(line);
        Assert.True(parse.Errors.Count == 0, string.Join("\n", parse.Errors.Select(e => e.Message)));
    }

    [Theory]
    [InlineData("no-such-verb")]
    [InlineData("rule add user.a:ds1")]
    [InlineData("rule add user.a:ds1 --rse-expr X --grouping SOME")]
    [InlineData("rule add --rse-expr X")]
    public void Mistakes_are_parse_errors(string line)
    {
        Assert.NotEmpty(Root.Parse(line).Errors);
    }

    [Fact]
    public void A_missing_capability_is_one_line_naming_the_command()
    {
        Assert.Equal("ferry data find: the server has no /ferry/data API", FerryCli.MissingCapabilityLine("ferry data find", "the server has no /ferry/data API"));
    }
}
