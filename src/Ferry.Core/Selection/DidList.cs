using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Core.Selection;

/// <summary>A line of a DID list that could not be read, with its 1-based number.</summary>
public sealed record BadLine(int Line, string Text, string Error);

/// <summary>
/// A --from-file / --exclude-file list: one scope:name a line; blank lines and '#' comments are ignored, repeats
/// are kept once, and bad lines are reported rather than ending the run.
/// </summary>
public static class DidList
{
    public static (IReadOnlyList<DidRef> Dids, IReadOnlyList<BadLine> Bad) Parse(IEnumerable<string> lines)
    {
        var dids = new List<DidRef>();
        var seen = new HashSet<DidRef>();
        var bad = new List<BadLine>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            try
            {
                var did = DidRef.Parse(line);
                if (seen.Add(did)) dids.Add(did);
            }
            catch (FerryException e) { bad.Add(new BadLine(number, Names.Printable(line), e.Message)); }
        }
        return (dids, bad);
    }
}
