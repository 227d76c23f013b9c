using Ferry.Core.Identifiers;
using Ferry.Core.Selection;

namespace Ferry.Client.Data;

/// <summary>
/// Plans a bulk action page by page, then carries out exactly that plan: only the plan's work items (create, change,
/// delete) are sent, a page at a time; the others are reported as planned (exists, skipped, failed).
/// </summary>
public sealed class BulkAction(
    Func<IReadOnlyList<DidRef>, CancellationToken, Task<List<DataResult>>> plan,
    Func<IReadOnlyList<DataResult>, CancellationToken, Task<List<DataResult>>> submit,
    int pageSize,
    Func<string, bool>? isWork = null)
{
    private readonly Func<string, bool> _isWork = isWork ?? DataOutcome.IsWork;

    public async Task<List<DataResult>> PlanAsync(IAsyncEnumerable<DidRef> dids, CancellationToken ct)
    {
        var results = new List<DataResult>();
        var page = new List<DidRef>(pageSize);
        await foreach (var did in dids.WithCancellation(ct))
        {
            page.Add(did);
            if (page.Count < pageSize) continue;
            results.AddRange(await plan(page, ct));
            page = new List<DidRef>(pageSize);
        }
        if (page.Count > 0) results.AddRange(await plan(page, ct));
        return results;
    }

    /// <summary>Submits the plan's work a page at a time; <paramref name="onPage"/> sees every result (for the journal) as it is known.</summary>
    public async Task<List<DataResult>> SubmitAsync(IReadOnlyList<DataResult> planned, Func<IReadOnlyList<DataResult>, Task> onPage, CancellationToken ct)
    {
        var done = new List<DataResult>(planned.Count);
        var asPlanned = planned.Where(p => !_isWork(p.Outcome)).Select(p => p with { Outcome = DataOutcome.Done(p.Outcome) }).ToList();
        if (asPlanned.Count > 0) await onPage(asPlanned);
        done.AddRange(asPlanned);
        foreach (var chunk in planned.Where(p => _isWork(p.Outcome)).Chunk(pageSize))
        {
            var results = await submit(chunk, ct);
            if (results.Count != chunk.Length)
                throw new InvalidOperationException($"the server answered {results.Count} results for {chunk.Length} items");
            await onPage(results);
            done.AddRange(results);
        }
        return done;
    }
}
