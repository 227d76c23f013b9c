using Ferry.Client.Http;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Client.Site;

/// <summary>
/// `ferry site run --dids SCOPE:NAME[,...]` and `--dids-file F` (one DID a line, blank lines and # comments skipped):
/// the DIDs a restricted round works on. Every DID must exist before anything runs, so a typo stops the daemon at
/// once instead of making each task fail (or, worse, run on nothing) every round.
/// </summary>
public static class SiteDids
{
    public static IReadOnlyList<DidRef>? Read(string? list, string? file)
    {
        if (list is null && file is null) return null;
        var entries = new List<(string Text, string Where)>();
        if (list is not null)
            entries.AddRange(list.Split(',', StringSplitOptions.TrimEntries).Select(t => (t, "--dids")));
        if (file is not null)
        {
            string[] lines;
            try { lines = File.ReadAllLines(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw FerryException.Invalid($"--dids-file {file}: {e.Message}"); }
            entries.AddRange(lines.Select((l, i) => (l.Trim(), $"{file} line {i + 1}")).Where(e => e.Item1.Length > 0 && !e.Item1.StartsWith('#')));
        }
        var dids = new List<DidRef>();
        foreach (var (text, where) in entries)
        {
            if (text.Length == 0) throw FerryException.Invalid($"{where}: an empty DID (write SCOPE:NAME[,SCOPE:NAME...])");
            try { dids.Add(DidRef.Parse(text)); }
            catch (FerryException e) { throw FerryException.Invalid($"{where}: {e.Message}"); }
        }
        if (dids.Count == 0) throw FerryException.Invalid($"{(file is null ? "--dids" : $"--dids-file {file}")}: no DID given");
        return dids.Distinct().ToList();
    }

    /// <summary>Asks the server for each DID; all that do not exist are named in one refusal.</summary>
    public static async Task RequireExistingAsync(FerryClient client, IReadOnlyList<DidRef> dids, CancellationToken ct)
    {
        var missing = new List<string>();
        foreach (var d in dids)
        {
            try { await client.GetDidAsync(d, ct: ct); }
            catch (FerryApiException e) when (e.Status == 404) { missing.Add(d.ToString()); }
        }
        if (missing.Count > 0)
            throw FerryException.Invalid($"{(missing.Count == 1 ? "DID" : "DIDs")} {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? $" and {missing.Count - 20} more" : "")} " +
                $"{(missing.Count == 1 ? "does" : "do")} not exist; nothing was run");
    }
}
