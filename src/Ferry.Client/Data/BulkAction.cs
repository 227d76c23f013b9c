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

    /// <summary>
    /// Submits the plan a page at a time, in its order: a page's work items in one request, its other items as planned.
    /// <paramref name="onPage"/> sees every page's results (for the journal) as soon as they are known.
    /// </summary>
    public async Task<List<DataResult>> SubmitAsync(IReadOnlyList<DataResult> planned, Func<IReadOnlyList<DataResult>, Task> onPage, CancellationToken ct)
    {
        var done = new List<DataResult>(planned.Count);
        foreach (var page in planned.Chunk(pageSize))
        {
            var work = page.Where(p => _isWork(p.Outcome)).ToList();
            var results = work.Count == 0 ? [] : await submit(work, ct);
            if (results.Count != work.Count)
                throw new InvalidOperationException($"the server answered {results.Count} results for {work.Count} items");
            var next = 0;
            var merged = page.Select(p => _isWork(p.Outcome) ? results[next++] : p with { Outcome = DataOutcome.Done(p.Outcome) }).ToList();
            await onPage(merged);
            done.AddRange(merged);
        }
        return done;
    }
}
