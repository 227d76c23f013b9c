namespace Ferry.Core.Sync;

/// <summary>
/// The plain-text storage dump Rucio's auditor reads: one file per line, as a path relative to the RSE's prefix, an
/// absolute path starting with a prefix, or a full PFN (scheme://host[:port]/prefix/path). Anything after the first
/// tab or comma (sizes, dates some dump tools add) is ignored. Blank lines and '#' comments are skipped.
/// </summary>
public static class StorageDump
{
    /// <summary>Relative paths of the dump; refuses the whole dump, by line number, when a line is not a path under a prefix.</summary>
    public static List<string> Read(TextReader reader, IReadOnlyCollection<string> prefixes, string what = "the storage dump")
    {
        var normalised = prefixes.Select(p => "/" + p.Trim('/') + "/").Where(p => p != "//").Distinct().OrderByDescending(p => p.Length).ToList();
        var paths = new List<string>();
        var bad = new List<BadLine>();
        foreach (var (number, line) in ReplicaDump.Lines(reader))
        {
            var text = line;
            var cut = text.IndexOfAny(['\t', ',']);
            if (cut >= 0) text = text[..cut].TrimEnd();
            if (Relative(text, normalised) is { } path) paths.Add(path);
            else bad.Add(new BadLine(number, Problem(text)));
        }
        ReplicaDump.ThrowIfBad(bad, what);
        return paths;
    }

    /// <summary>The path relative to the prefix, or null when the text is not a clean path under one.</summary>
    public static string? Relative(string text, IReadOnlyList<string> prefixes)
    {
        foreach (var ch in text) if (char.IsControl(ch)) return null;
        var sep = text.IndexOf("://", StringComparison.Ordinal);
        if (sep > 0)
        {
            var slash = text.IndexOf('/', sep + 3);
            if (slash < 0) return null;
            text = text[slash..];
            while (text.StartsWith("//", StringComparison.Ordinal)) text = text[1..];
        }
        if (text.StartsWith('/'))
        {
            var prefix = prefixes.FirstOrDefault(p => text.StartsWith(p, StringComparison.Ordinal));
            if (prefix is null) return null;
            text = text[prefix.Length..];
        }
        if (text.Length == 0 || text.EndsWith('/')) return null;
        foreach (var range in text.AsSpan().Split('/'))
        {
            var segment = text.AsSpan(range);
            if (segment.IsEmpty || segment is "." or "..") return null;
        }
        return text;
    }

    private static string Problem(string text) =>
        text.Any(char.IsControl) ? "contains control characters"
        : text.Split('/').Any(s => s is "." or "..") ? "contains a '.' or '..' segment"
        : text.StartsWith('/') || text.Contains("://", StringComparison.Ordinal) ? $"'{Cut(text)}' is not under the RSE's prefix"
        : $"'{Cut(text)}' is not a file path";

    private static string Cut(string s) => s.Length > 80 ? s[..80] + "…" : s;
}
