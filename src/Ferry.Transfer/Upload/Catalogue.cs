using System.Text;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Ferry.Transfer.Upload;

public enum NameFrom { Relative, Basename }

public sealed record CatalogueRequest(IReadOnlyList<string> Paths, string Scope, bool Recursive = false, IReadOnlyList<string>? Globs = null,
    NameFrom NameFrom = NameFrom.Relative, bool SanitizeNames = false);

/// <summary>
/// Turns PATH arguments into the list of files to upload, each with its DID, before anything is sent anywhere.
/// A file argument is taken as given (its DID name is its file name). A directory contributes the files directly
/// inside it, or every file below it with <c>--recursive</c>; <c>--glob</c> patterns (Microsoft.Extensions.FileSystemGlobbing:
/// <c>*</c> within a path segment, <c>**</c> across segments) are matched against the path relative to that
/// directory, and any glob implies walking the whole tree. Directories are never uploaded as files.
/// Names that are not valid DID names, and two files that would get the same DID, refuse the whole catalogue.
/// </summary>
public static class Catalogue
{
    public static List<CatalogueEntry> Build(CatalogueRequest request, Action<int, long>? progress = null)
    {
        Matcher? matcher = null;
        if (request.Globs is { Count: > 0 } globs)
        {
            matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddIncludePatterns(globs);
        }
        var recursive = request.Recursive || matcher is not null;
        var found = new List<(string Full, string Relative, long Bytes, long MTime)>();
        long bytes = 0;
        var lastReport = Environment.TickCount64;
        void Add(FileInfo f, string relative)
        {
            found.Add((f.FullName, relative, f.Length, new DateTimeOffset(f.LastWriteTimeUtc).ToUnixTimeMilliseconds()));
            bytes += f.Length;
            if (progress is not null && Environment.TickCount64 - lastReport > 200)
            {
                lastReport = Environment.TickCount64;
                progress(found.Count, bytes);
            }
        }
        foreach (var p in request.Paths)
        {
            var full = Path.GetFullPath(p);
            if (Directory.Exists(full))
            {
                var options = new EnumerationOptions { RecurseSubdirectories = recursive, AttributesToSkip = 0, IgnoreInaccessible = false, ReturnSpecialDirectories = false };
                foreach (var f in new DirectoryInfo(full).EnumerateFiles("*", options).OrderBy(f => f.FullName, StringComparer.Ordinal))
                {
                    var relative = Path.GetRelativePath(full, f.FullName).Replace(Path.DirectorySeparatorChar, '/');
                    if (matcher is not null && !matcher.Match(relative).HasMatches) continue;
                    if (f.Attributes.HasFlag(FileAttributes.Directory)) continue;
                    Add(f, relative);
                }
            }
            else if (File.Exists(full)) Add(new FileInfo(full), Path.GetFileName(full));
            else throw FerryException.Invalid($"{p}: no such file or directory");
        }
        progress?.Invoke(found.Count, bytes);

        var entries = new List<CatalogueEntry>(found.Count);
        var invalid = new List<string>();
        foreach (var (fullPath, relative, size, mtime) in found)
        {
            var original = request.NameFrom == NameFrom.Basename ? relative[(relative.LastIndexOf('/') + 1)..] : relative;
            var name = request.SanitizeNames ? DidNames.Sanitize(original) : original;
            if (DidNames.Problem(name) is not null)
            {
                invalid.Add($"{fullPath} ({DidNames.Why(name)})");
                continue;
            }
            entries.Add(new CatalogueEntry(fullPath, relative, size, mtime, new DidRef(request.Scope, name)) { Renamed = name != original });
        }
        if (invalid.Count > 0)
            throw FerryException.Invalid($"{invalid.Count} file(s) would not make valid DID names (ASCII letters, digits, '/', '.', '-', '_', starting with a letter, digit or '/', no empty, '.' or '..' path segment, at most 250 characters); "
                + $"nothing was uploaded{(request.SanitizeNames ? "" : "; --sanitize-names maps them to valid names")}:\n  " + string.Join("\n  ", invalid.Take(50))
                + (invalid.Count > 50 ? $"\n  ... and {invalid.Count - 50} more" : ""));
        var collisions = entries.GroupBy(e => e.Did).Where(g => g.Count() > 1).ToList();
        if (collisions.Count > 0)
            throw FerryException.Invalid($"{collisions.Count} DID name(s) would be shared by several files; nothing was uploaded:\n  "
                + string.Join("\n  ", collisions.Take(50).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.LocalPath))}"))
                + (collisions.Count > 50 ? $"\n  ... and {collisions.Count - 50} more" : ""));
        return entries;
    }
}

/// <summary>DID names made from file paths.</summary>
public static class DidNames
{
    /// <summary>Why the name is not a valid DID name, or null when it is.</summary>
    public static string? Problem(string name)
    {
        try
        {
            Names.DidName(name);
            return null;
        }
        catch (FerryException e) { return e.Message; }
    }

    private static bool Allowed(Rune r) => r.IsAscii && (char.IsAsciiLetterOrDigit((char)r.Value) || r.Value is '.' or '-' or '_' or '/');

    /// <summary>A short reason for an offenders list: the characters not allowed, or what else is wrong.</summary>
    public static string Why(string name)
    {
        var bad = name.EnumerateRunes().Where(r => !Allowed(r)).Distinct().ToList();
        if (bad.Count > 0) return "not allowed: " + string.Join(" ", bad.Select(r => $"'{r}'"));
        if (name.Length > 250) return $"{name.Length} characters, at most 250";
        return Problem(name) is { } p && p.Contains("start", StringComparison.Ordinal) && !char.IsAsciiLetterOrDigit(name[0]) ? $"starts with '{name[0]}'" : Problem(name) ?? "";
    }

    /// <summary>
    /// The documented --sanitize-names rule, deterministic and one-to-one per character: every character other than
    /// ASCII letters, digits, '.', '-', '_' and the '/' between directories (spaces, commas, quotes, any non-ASCII
    /// character, counted per Unicode scalar) becomes '_'; a name that then does not start with a letter or digit gets
    /// an 'x' in front. Two files mapped to the same name are refused like any other collision.
    /// </summary>
    public static string Sanitize(string name)
    {
        var sb = new StringBuilder(name.Length + 1);
        foreach (var rune in name.EnumerateRunes())
            sb.Append(Allowed(rune) ? (char)rune.Value : '_');
        if (sb.Length == 0 || !char.IsAsciiLetterOrDigit(sb[0])) sb.Insert(0, 'x');
        return sb.ToString();
    }
}
