using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Core.Sync;

/// <summary>
/// A replica dump in JSON lines: <c>{"rse","scope","name","bytes","adler32"}</c> per line, with an optional
/// <c>"dataset": "scope:name"</c>; a file in several datasets has a line for each. Blank lines and lines starting with '#' are skipped; every other line must be
/// such an object, or the whole dump is refused with the numbers of the lines that are not.
/// </summary>
public static class ReplicaDump
{
    private const int ReportedProblems = 20;

    /// <summary>Every entry of the dump for <paramref name="rse"/> (all RSEs when null).</summary>
    public static List<CatalogueEntry> Read(TextReader reader, string? rse, string what = "the dump")
    {
        var entries = new List<CatalogueEntry>();
        var bad = new List<BadLine>();
        foreach (var (number, text) in Lines(reader))
        {
            var (entry, lineRse, problem) = Parse(text);
            if (problem is not null) { bad.Add(new BadLine(number, problem)); continue; }
            if (rse is null || lineRse == rse) entries.Add(entry!);
        }
        ThrowIfBad(bad, what);
        return entries;
    }

    /// <summary>The lines that carry data, trimmed, with their 1-based numbers: blank lines and '#' comments are skipped.</summary>
    public static IEnumerable<(int Number, string Text)> Lines(TextReader reader)
    {
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            var text = line.Trim();
            if (text.Length > 0 && text[0] != '#') yield return (number, text);
        }
    }

    public static void ThrowIfBad(IReadOnlyList<BadLine> bad, string what)
    {
        if (bad.Count == 0) return;
        var shown = string.Join("; ", bad.Take(ReportedProblems));
        var more = bad.Count > ReportedProblems ? $" (and {bad.Count - ReportedProblems} more)" : "";
        throw FerryException.Invalid($"{what} has {bad.Count} unreadable line(s), nothing was changed: {shown}{more}");
    }

    private static (CatalogueEntry?, string?, string?) Parse(string text)
    {
        JsonElement o;
        try { o = JsonDocument.Parse(text).RootElement; }
        catch (JsonException) { return (null, null, "not JSON"); }
        if (o.ValueKind != JsonValueKind.Object) return (null, null, "not a JSON object");
        string? Str(string key) => o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var rse = Str("rse");
        var scope = Str("scope");
        var name = Str("name");
        if (rse is null || scope is null || name is null) return (null, null, "needs the strings rse, scope and name");
        if (!o.TryGetProperty("bytes", out var b) || b.ValueKind != JsonValueKind.Number || !b.TryGetInt64(out var bytes) || bytes < 0)
            return (null, null, "bytes must be a non-negative integer");
        var adler = Str("adler32");
        if (adler is not null && (adler.Length != 8 || !adler.All(char.IsAsciiHexDigit))) return (null, null, $"adler32 '{adler}' is not 8 hex digits");
        var dataset = Str("dataset");
        try
        {
            Names.Scope(scope);
            Names.DidName(name);
            if (dataset is not null) DidRef.Parse(dataset);
        }
        catch (FerryException e) { return (null, null, e.Message); }
        return (new CatalogueEntry(scope, name, bytes, adler?.ToLowerInvariant(), dataset), rse, null);
    }
}
