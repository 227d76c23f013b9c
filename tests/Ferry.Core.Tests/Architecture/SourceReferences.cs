using System.Text;
using System.Text.RegularExpressions;

namespace Ferry.Core.Tests.Architecture;

/// <summary>
/// Which Ferry projects a C# file names: `using Ferry.X…`, fully qualified `Ferry.X.…`, and names relative to the
/// file's own namespace (`Catalog.Db.ICatalogDatabase` inside `namespace Ferry.Server…`), resolved the way C# looks
/// them up, innermost namespace first. Comments and string literals are left out (meter and logger names such as
/// "Ferry.Server" are not references).
/// </summary>
internal sealed partial class SourceReferences
{
    public static readonly IReadOnlyList<string> Projects = ["Core", "Catalog", "Storage", "Engine", "Server", "Client", "Transfer", "Agent", "Cli"];

    /// <summary>Every namespace declared under src, and the types declared directly in a project's root namespace.</summary>
    private readonly HashSet<string> _known;

    public SourceReferences(IEnumerable<string> sources)
    {
        _known = [];
        foreach (var code in sources.Select(StripCommentsAndStrings))
        {
            if (NamespaceOf(code) is not { } ns) continue;
            for (var name = ns; name.Contains('.'); name = name[..name.LastIndexOf('.')]) _known.Add(name);
            if (ns.Count(c => c == '.') == 1)
                foreach (Match m in TypeDeclaration().Matches(code)) _known.Add($"{ns}.{m.Groups[1].Value}");
        }
    }

    /// <summary>The projects (short names: "Catalog", …) that <paramref name="source"/> refers to, its own included.</summary>
    public IReadOnlySet<string> In(string source)
    {
        var code = StripCommentsAndStrings(source);
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Qualified().Matches(code)) found.Add(m.Groups[1].Value);
        if (NamespaceOf(code) is not { } ns) return found;
        foreach (Match m in Relative().Matches(code))
            if (Resolve(ns, m.Groups[1].Value, m.Groups[2].Value) is { } project) found.Add(project);
        return found;
    }

    /// <summary>`A.B` written inside namespace <paramref name="ns"/>: the project it names, when it names one from the root.</summary>
    private string? Resolve(string ns, string first, string second)
    {
        for (var scope = ns; ; scope = scope[..scope.LastIndexOf('.')])
        {
            var candidate = $"{scope}.{first}.{second}";
            // The innermost declared match wins, as in C#: Storage.RseStorage inside Ferry.Engine is Ferry.Engine.Storage.
            if (_known.Contains(candidate)) return scope == "Ferry" ? first : null;
            if (!scope.Contains('.')) return null;
        }
    }

    private static string? NamespaceOf(string code) => Namespace().Match(code) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The code with comments removed and every string or character literal emptied.</summary>
    public static string StripCommentsAndStrings(string s)
    {
        var sb = new StringBuilder(s.Length);
        var i = 0;
        while (i < s.Length)
        {
            if (s[i] == '/' && i + 1 < s.Length && s[i + 1] == '/') { while (i < s.Length && s[i] != '\n') i++; continue; }
            if (s[i] == '/' && i + 1 < s.Length && s[i + 1] == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? s.Length : end + 2;
                continue;
            }
            if (s[i] == '"')
            {
                var quotes = 0;
                while (i + quotes < s.Length && s[i + quotes] == '"') quotes++;
                if (quotes >= 3)
                {
                    // Raw string literal: ends at the same run of quotes.
                    var fence = new string('"', quotes);
                    var end = s.IndexOf(fence, i + quotes, StringComparison.Ordinal);
                    i = end < 0 ? s.Length : end + quotes;
                }
                else if (quotes == 2) i += 2;
                else
                {
                    var verbatim = i > 0 && (s[i - 1] == '@' || (i > 1 && s[i - 1] == '$' && s[i - 2] == '@'));
                    i++;
                    while (i < s.Length)
                    {
                        if (verbatim && s[i] == '"' && i + 1 < s.Length && s[i + 1] == '"') { i += 2; continue; }
                        if (!verbatim && s[i] == '\\') { i += 2; continue; }
                        if (s[i] == '"') { i++; break; }
                        i++;
                    }
                }
                sb.Append("\"\"");
                continue;
            }
            if (s[i] == '\'' && i + 2 < s.Length)
            {
                // A character literal: 'x', '\n', '\u0041'.
                var end = s.IndexOf('\'', s[i + 1] == '\\' ? i + 3 : i + 2);
                if (end > i && end - i <= 8) { sb.Append("' '"); i = end + 1; continue; }
            }
            sb.Append(s[i]);
            i++;
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"(?<![\w.])Ferry\.(Core|Catalog|Storage|Engine|Server|Client|Transfer|Agent|Cli)\b")]
    private static partial Regex Qualified();

    [GeneratedRegex(@"(?<![\w.])(Core|Catalog|Storage|Engine|Server|Client|Transfer|Agent|Cli)\.([A-Za-z_]\w*)")]
    private static partial Regex Relative();

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(\w+)")]
    private static partial Regex TypeDeclaration();
}
