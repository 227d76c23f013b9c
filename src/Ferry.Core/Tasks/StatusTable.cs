using System.Text.RegularExpressions;
using Ferry.Core.Errors;

namespace Ferry.Core.Tasks;

/// <summary>
/// `ferry task table --group-by REGEX`: tasks counted per group and state. A task's group is the regex's first
/// capture group in its name (the whole match when the regex has no group); names it does not match go under "(other)".
/// </summary>
public static class StatusTable
{
    public const string Other = "(other)";

    public static SortedDictionary<string, SortedDictionary<TaskState, int>> Build(IEnumerable<(string Name, TaskState State)> tasks, string groupBy)
    {
        Regex regex;
        try { regex = new Regex(groupBy, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)); }
        catch (ArgumentException e) { throw FerryException.Invalid($"--group-by is not a valid regular expression: {e.Message}"); }
        var table = new SortedDictionary<string, SortedDictionary<TaskState, int>>(StringComparer.Ordinal);
        foreach (var (name, state) in tasks)
        {
            var m = regex.Match(name);
            var group = !m.Success ? Other : m.Groups.Count > 1 && m.Groups[1].Success ? m.Groups[1].Value : m.Value;
            if (!table.TryGetValue(group, out var row)) table[group] = row = [];
            row[state] = row.GetValueOrDefault(state) + 1;
        }
        return table;
    }
}
