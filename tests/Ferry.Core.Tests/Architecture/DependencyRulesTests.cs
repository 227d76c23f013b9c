using System.Xml.Linq;

namespace Ferry.Core.Tests.Architecture;

/// <summary>
/// The dependency rules of docs/architecture.md, checked on the repository's files: each project's csproj
/// ProjectReferences, and the Ferry projects each C# file names (usings, qualified and relative names). A new
/// project, a new reference or a stray `using Ferry.Server…` in the CLI fails here with the file that broke the rule.
/// </summary>
public sealed class DependencyRulesTests
{
    /// <summary>Projects a project's csproj may reference directly.</summary>
    private static readonly Dictionary<string, string[]> References = new()
    {
        ["Core"] = [],
        ["Catalog"] = ["Core"],
        ["Storage"] = ["Core"],
        ["Engine"] = ["Catalog", "Storage"],
        ["Server"] = ["Engine"],
        ["Client"] = ["Core"],
        ["Transfer"] = ["Client", "Storage"],
        ["Agent"] = ["Client", "Transfer"],
        // Server only for the hosting commands below (server, worker, db).
        ["Cli"] = ["Client", "Transfer", "Agent", "Server"],
    };

    /// <summary>
    /// Projects a project's code may name. Core is the shared vocabulary (identifiers, the dialect's records, errors) that
    /// the SDK's API is written in, so naming it is going through the SDK. The SDK (Ferry.Client) has no storage access;
    /// Ferry.Transfer (download, upload) has, and the agent and the CLI reach storage only through it, never Ferry.Storage.
    /// </summary>
    private static readonly Dictionary<string, string[]> Uses = new()
    {
        ["Core"] = [],
        ["Catalog"] = ["Core"],
        ["Storage"] = ["Core"],
        ["Engine"] = ["Core", "Catalog", "Storage"],
        ["Server"] = ["Core", "Catalog", "Storage", "Engine"],
        ["Client"] = ["Core"],
        ["Transfer"] = ["Core", "Client", "Storage"],
        ["Agent"] = ["Core", "Client", "Transfer"],
        ["Cli"] = ["Core", "Client", "Transfer", "Agent"],
    };

    /// <summary>The only CLI files that reach past the SDK: the commands that host the server side in this process.</summary>
    private static readonly Dictionary<string, string[]> CliHosting = new()
    {
        ["Commands/ServerCommand.cs"] = ["Server", "Engine"], // ferry server: FerryServerHost, SecurityOptions, EngineOptions
        ["Commands/WorkerCommand.cs"] = ["Engine"],          // ferry worker: WorkerHost, EngineServices, EngineOptions
        ["Commands/DbCommands.cs"] = ["Catalog"],            // ferry db status|migrate|copy: CatalogStore, CatalogCopy
    };

    [Fact]
    public void Every_project_is_in_the_table()
    {
        var projects = Directory.GetDirectories(Src(), "Ferry.*").Select(d => Path.GetFileName(d)["Ferry.".Length..]).Order().ToList();
        Assert.Equal(References.Keys.Order(), projects);
        Assert.Equal(SourceReferences.Projects.Order(), projects);
    }

    [Fact]
    public void Project_references_follow_the_table()
    {
        var broken = new List<string>();
        foreach (var (project, allowed) in References)
        {
            var csproj = Path.Combine(Src(), $"Ferry.{project}", $"Ferry.{project}.csproj");
            foreach (var reference in XDocument.Load(csproj).Descendants("ProjectReference").Select(e => (string)e.Attribute("Include")!))
            {
                var name = Path.GetFileNameWithoutExtension(reference);
                if (!name.StartsWith("Ferry.", StringComparison.Ordinal) || !allowed.Contains(name["Ferry.".Length..]))
                    broken.Add($"Ferry.{project} references {name} (allowed: {string.Join(", ", allowed)})");
            }
            foreach (var use in XDocument.Load(csproj).Descendants("Using").Select(e => (string?)e.Attribute("Include") ?? ""))
                if (use.StartsWith("Ferry.", StringComparison.Ordinal) && !use.StartsWith($"Ferry.{project}", StringComparison.Ordinal))
                    broken.Add($"Ferry.{project} has a global using of {use}");
        }
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void Code_names_only_the_projects_it_may_depend_on()
    {
        var files = SourceFiles().ToList();
        var scanner = new SourceReferences(files.Select(f => File.ReadAllText(f.Path)));
        var broken = new List<string>();
        foreach (var (project, path) in files)
        {
            var relative = Path.GetRelativePath(Path.Combine(Src(), $"Ferry.{project}"), path).Replace('\\', '/');
            var allowed = Uses[project].Append(project).Concat(project == "Cli" && CliHosting.TryGetValue(relative, out var extra) ? extra : []).ToHashSet();
            foreach (var used in scanner.In(File.ReadAllText(path)).Where(u => !allowed.Contains(u)).Order())
                broken.Add($"src/Ferry.{project}/{relative} uses Ferry.{used}");
        }
        Assert.True(broken.Count == 0, "Forbidden dependencies (see docs/architecture.md):\n" + string.Join("\n", broken));
    }

    /// <summary>
    /// The unit tier: every project has tests/Ferry.X.Tests, which references Ferry.X alone (what it tests is that
    /// project's code, not what lies above it), and the solution builds and runs it (`dotnet test Ferry.slnx`).
    /// </summary>
    [Fact]
    public void Every_project_has_its_own_test_project_in_the_solution()
    {
        var root = Path.GetDirectoryName(Src())!;
        var solution = XDocument.Load(Path.Combine(root, "Ferry.slnx")).Descendants("Project").Select(e => (string)e.Attribute("Path")!).ToHashSet();
        var broken = new List<string>();
        foreach (var project in References.Keys)
        {
            var csproj = $"tests/Ferry.{project}.Tests/Ferry.{project}.Tests.csproj";
            if (!File.Exists(Path.Combine(root, csproj)))
            {
                broken.Add($"{csproj} is missing");
                continue;
            }
            if (!solution.Contains(csproj)) broken.Add($"{csproj} is not in Ferry.slnx");
            var references = XDocument.Load(Path.Combine(root, csproj)).Descendants("ProjectReference").Select(e => Path.GetFileNameWithoutExtension((string)e.Attribute("Include")!)).ToList();
            if (!references.SequenceEqual([$"Ferry.{project}"])) broken.Add($"{csproj} references {string.Join(", ", references)} (only Ferry.{project} allowed)");
        }
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void The_scanner_sees_usings_qualified_and_relative_names_but_not_comments_or_strings()
    {
        var scanner = new SourceReferences(["namespace Ferry.Catalog.Db; class X {}", "namespace Ferry.Engine.Storage; class RseStorage {}",
            "namespace Ferry.Storage; public interface IStorageBackend {}"]);
        Assert.Equal(["Server"], scanner.In("using Ferry.Server.Hosting;\nnamespace Ferry.Server.X;"));
        Assert.Equal(["Catalog", "Server"], scanner.In("namespace Ferry.Server.X;\nclass A { object b = new Ferry.Catalog.Db.X(); }").Order());
        Assert.Equal(["Catalog", "Server"], scanner.In("namespace Ferry.Server.X;\nclass A { Catalog.Db.X b; }").Order());
        Assert.Equal(["Client", "Storage"], scanner.In("namespace Ferry.Client;\nclass A { Storage.IStorageBackend b; }").Order());
        Assert.Equal(["Engine"], scanner.In("namespace Ferry.Engine.Hosting;\nclass A { Storage.RseStorage s; }"));
        Assert.Equal(["Cli"], scanner.In("namespace Ferry.Cli;\n// using Ferry.Server;\n/* Ferry.Engine */ class A { string m = \"Ferry.Server\"; string r = \"\"\"\nFerry.Catalog\n\"\"\"; }"));
    }

    private static IEnumerable<(string Project, string Path)> SourceFiles()
    {
        var sep = Path.DirectorySeparatorChar;
        foreach (var project in References.Keys)
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Src(), $"Ferry.{project}"), "*.cs", SearchOption.AllDirectories))
                if (!file.Contains($"{sep}obj{sep}") && !file.Contains($"{sep}bin{sep}")) yield return (project, file);
    }

    private static string Src()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ferry.slnx"))) return Path.Combine(dir.FullName, "src");
        throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
