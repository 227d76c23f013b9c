using System.Text;
using System.Text.RegularExpressions;
using Ferry.Core.Errors;

namespace Ferry.Core.Tasks;

/// <summary>
/// A job's command line: {input} (the first input's path), {inputs} (all, space-separated), {output} (the directory
/// whose files become the job's outputs) and {job} (the job's number). Paths are shell-quoted; {{ and }} are literal braces.
/// </summary>
public static partial class CommandTemplate
{
    public static readonly IReadOnlyList<string> Placeholders = ["input", "inputs", "output", "job"];

    [GeneratedRegex(@"\{\{|\}\}|\{([^{}]*)\}")]
    private static partial Regex Token();

    /// <summary>Refuses an empty template and any placeholder other than the four.</summary>
    public static string Validate(string? template)
    {
        if (string.IsNullOrWhiteSpace(template)) throw FerryException.Invalid("The command template is empty");
        var unknown = Token().Matches(template).Select(m => m.Groups[1]).Where(g => g.Success && !Placeholders.Contains(g.Value)).Select(g => "{" + g.Value + "}").Distinct().ToList();
        if (unknown.Count > 0)
            throw FerryException.Invalid($"Unknown placeholder {string.Join(", ", unknown)} in the command template; known: {string.Join(", ", Placeholders.Select(p => "{" + p + "}"))} (write {{{{ and }}}} for literal braces)");
        return template;
    }

    public static string Render(string template, IReadOnlyList<string> inputs, string outputDir, int job) =>
        Token().Replace(Validate(template), m => m.Value switch
        {
            "{{" => "{",
            "}}" => "}",
            _ => m.Groups[1].Value switch
            {
                "input" => inputs.Count > 0 ? Quote(inputs[0]) : "''",
                "inputs" => string.Join(' ', inputs.Select(Quote)),
                "output" => Quote(outputDir),
                _ => job.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        });

    /// <summary>POSIX shell single quoting: the text arrives as one word, whatever it holds.</summary>
    public static string Quote(string s)
    {
        if (s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or '+' or '=')) return s;
        var b = new StringBuilder("'");
        foreach (var c in s) b.Append(c == '\'' ? "'\\''" : c);
        return b.Append('\'').ToString();
    }
}
