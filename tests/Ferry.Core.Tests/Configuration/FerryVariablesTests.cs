using System.Text;
using System.Text.RegularExpressions;
using Ferry.Core.Configuration;

namespace Ferry.Core.Tests.Configuration;

/// <summary>
/// The variable list is the documentation: every FERRY_* name the code reads is declared, nothing declared is unread,
/// and docs/configuration.md is exactly what the list generates (FERRY_UPDATE_DOCS=1 rewrites it).
/// </summary>
public sealed partial class FerryVariablesTests
{
    [GeneratedRegex("\"(FERRY_[A-Z0-9_]+)\"")] private static partial Regex Literal();

    [Fact]
    public void Every_variable_the_code_reads_is_declared_and_every_declared_one_is_read()
    {
        var read = Directory.EnumerateFiles(Path.Combine(RepoRoot(), "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.EndsWith("FerryVariables.cs"))
            .SelectMany(f => Literal().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).ToHashSet();
        var declared = FerryVariables.Declared.Select(v => v.Name).ToList();
        Assert.Equal(declared.Count, declared.Distinct().Count());
        Assert.Empty(read.Except(declared).Order());
        Assert.Empty(declared.Except(read).Order());
    }

    [Fact]
    public void The_configuration_page_is_generated_from_the_list()
    {
        var path = Path.Combine(RepoRoot(), "docs", "configuration.md");
        var generated = Page();
        if (Environment.GetEnvironmentVariable("FERRY_UPDATE_DOCS") == "1") File.WriteAllText(path, generated);
        Assert.True(File.Exists(path) && File.ReadAllText(path) == generated,
            "docs/configuration.md is not what FerryVariables generates: run the Core tests with FERRY_UPDATE_DOCS=1 and review the change");
    }

    private static string Page()
    {
        var sb = new StringBuilder("""
            # Configuration

            Every environment variable Ferry reads. Generated from `src/Ferry.Core/Configuration/FerryVariables.cs` by
            `tests/Ferry.Core.Tests/Configuration/FerryVariablesTests.cs` (run it with `FERRY_UPDATE_DOCS=1`); do not edit by hand.
            All of them are read through `FerryEnvironment`; a number or duration that does not parse stops the command
            with one line naming the variable (exit status 2) instead of falling back to the default.

            | variable | read by | default | what it does |
            |---|---|---|---|

            """);
        foreach (var v in FerryVariables.Declared)
            sb.Append($"| `{v.Name}` | {v.ReadBy} | {v.Default} | {v.Meaning} |\n");
        return sb.ToString();
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ferry.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
