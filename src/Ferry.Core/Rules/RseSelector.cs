using Ferry.Core.Errors;

namespace Ferry.Core.Rules;

/// <summary>An RSE a rule may use, with its weight and how many bytes of the rule's data it already holds.</summary>
/// <param name="Room">Bytes the RSE can still take (free space as the storage last reported it, less MinFreeSpace); null when unknown.</param>
public sealed record RseCandidate(string RseId, double Weight, long BytesHeld, long? Room = null, string? Name = null);

/// <summary>
/// Picks the RSEs for a group of files: those already holding most of the data first (so existing copies are reused),
/// then a draw proportional to weight. Pure: the caller supplies the random source.
/// </summary>
public static class RseSelector
{
    public static IReadOnlyList<string> Select(IReadOnlyList<RseCandidate> candidates, int copies, IReadOnlyCollection<string> alreadyChosen, Random random)
    {
        var chosen = alreadyChosen.Where(id => candidates.Any(c => c.RseId == id)).Take(copies).ToList();
        var pool = candidates.Where(c => !chosen.Contains(c.RseId) && c.Weight > 0).ToList();
        if (chosen.Count + pool.Count < copies)
            throw new FerryException("InsufficientTargetRSEs", 409,
                $"The rule needs {copies} distinct RSEs but the expression only offers {chosen.Count + pool.Count} usable one(s)");
        foreach (var preferred in pool.Where(c => c.BytesHeld > 0).OrderByDescending(c => c.BytesHeld).ToList())
        {
            if (chosen.Count >= copies) break;
            chosen.Add(preferred.RseId);
            pool.Remove(preferred);
        }
        while (chosen.Count < copies)
        {
            var total = pool.Sum(c => c.Weight);
            var x = random.NextDouble() * total;
            var pick = pool[^1];
            foreach (var c in pool)
            {
                x -= c.Weight;
                if (x < 0) { pick = c; break; }
            }
            chosen.Add(pick.RseId);
            pool.Remove(pick);
        }
        return chosen;
    }
}
