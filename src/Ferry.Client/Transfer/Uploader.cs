using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Client.Http;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Storage.Verification;

namespace Ferry.Client.Transfer;

public sealed record UploadItem(string LocalPath, DidRef Did);

public sealed record UploadOptions(string Rse, DidRef? Dataset = null, long? Lifetime = null, int Parallel = 4, bool Md5 = false);

public enum UploadStatus { Uploaded, AlreadyPresent, Failed }

public sealed record UploadResult(UploadItem Item, UploadStatus Status, long Bytes, string? Adler32, string? Md5, string? Pfn, string? Error);

/// <summary>Files and bytes finished so far, for progress bars.</summary>
public readonly record struct TransferProgress(int Files, long Bytes);

/// <summary>
/// Uploads files to an RSE the Rucio way, but in bulk: one listing of what exists, replicas registered COPYING in
/// batches, bytes copied in parallel into a temporary name with adler32 and md5 computed in the same pass, then the
/// replicas marked AVAILABLE (the server verifies the bytes) and attached or ruled in batches.
/// </summary>
public sealed class Uploader(FerryClient client)
{
    private const int Batch = 500;
    private const int MarkBatch = 200;

    public async Task<IReadOnlyList<UploadResult>> UploadAsync(IReadOnlyList<UploadItem> items, UploadOptions options,
        IProgress<TransferProgress>? progress = null, CancellationToken ct = default)
    {
        var duplicates = items.GroupBy(i => i.Did).Where(g => g.Count() > 1).Select(g => g.Key.ToString()).ToList();
        if (duplicates.Count > 0) throw FerryException.Invalid($"Two files would get the same DID: {string.Join(", ", duplicates.Take(5))}");
        var rse = await client.GetRseAsync(options.Rse, ct);
        if (rse.TryGetProperty("availability_write", out var w) && w.ValueKind == JsonValueKind.False)
            throw new FerryException("RSEWriteBlocked", 500, $"RSE {options.Rse} is blocked for writes");
        var endpoint = RseAccess.Choose(rse, "write", client);

        if (options.Dataset is { } ds)
        {
            var rule = new JsonObject { ["account"] = client.Account, ["copies"] = 1, ["rse_expression"] = options.Rse, ["grouping"] = "DATASET", ["lifetime"] = options.Lifetime };
            try { await client.AddCollectionAsync(ds, "DATASET", rules: [rule], ct: ct); }
            catch (FerryApiException e) when (e.ExceptionClass == "DataIdentifierAlreadyExists") { }
        }

        var results = new ConcurrentDictionary<UploadItem, UploadResult>();
        var timing = new PhaseTimer();
        var existing = await ExistingAsync(items, options.Rse, ct);
        timing.Mark("lookup");
        var toRegister = new List<UploadItem>();
        foreach (var item in items)
        {
            if (existing.TryGetValue(item.Did, out var known) && known.OnRse == "AVAILABLE")
            {
                results[item] = await CompareExisting(item, known, endpoint, ct);
                continue;
            }
            if (known?.OnRse is null) toRegister.Add(item);
        }
        foreach (var chunk in toRegister.Chunk(Batch))
        {
            var files = new JsonArray(chunk.Select(i => (JsonNode)new JsonObject
            {
                ["scope"] = i.Did.Scope, ["name"] = i.Did.Name, ["bytes"] = new FileInfo(i.LocalPath).Length, ["state"] = "C",
                ["meta"] = new JsonObject { ["guid"] = Guid.NewGuid().ToString("N") },
            }).ToArray());
            await client.AddReplicasAsync(options.Rse, files, ct);
        }

        timing.Mark("register");
        // Replicas are marked AVAILABLE in batches while later files are still copying, so the server's
        // verification of one batch overlaps the copy of the next.
        var copied = System.Threading.Channels.Channel.CreateUnbounded<(UploadItem Item, Checksums Sums, string Pfn)>();
        var marker = Task.Run(async () =>
        {
            var batch = new List<(UploadItem Item, Checksums Sums, string Pfn)>();
            async Task Flush()
            {
                foreach (var (item, sums, pfn, error) in await MarkAvailable(options.Rse, batch.ToArray(), ct))
                    results[item] = error is null
                        ? new UploadResult(item, UploadStatus.Uploaded, sums.Bytes, sums.Adler32, sums.Md5, pfn, null)
                        : new UploadResult(item, UploadStatus.Failed, sums.Bytes, sums.Adler32, sums.Md5, pfn, error);
                batch.Clear();
            }
            await foreach (var c in copied.Reader.ReadAllAsync(ct))
            {
                batch.Add(c);
                if (batch.Count >= MarkBatch || (copied.Reader.Count == 0 && batch.Count >= MarkBatch / 4)) await Flush();
            }
            if (batch.Count > 0) await Flush();
        }, ct);
        var done = 0;
        long bytes = 0;
        var pending = items.Where(i => !results.ContainsKey(i)).ToList();
        try
        {
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallel), CancellationToken = ct }, async (item, token) =>
            {
                var pfn = endpoint.Pfn(Core.Paths.Lfn2Pfn.Hash(item.Did.Scope, item.Did.Name));
                try
                {
                    existing.TryGetValue(item.Did, out var known);
                    var expected = known is null ? null : new ExpectedChecksums(known.Bytes, known.Adler32, null);
                    await using var source = new FileStream(item.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                    var sums = await VerifiedCopy.WriteAsync(source, endpoint.Backend, pfn, expected, options.Md5, null, token);
                    await copied.Writer.WriteAsync((item, sums, pfn), token);
                    progress?.Report(new TransferProgress(Interlocked.Increment(ref done), Interlocked.Add(ref bytes, sums.Bytes)));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FerryException)
                {
                    results[item] = new UploadResult(item, UploadStatus.Failed, 0, null, null, pfn, e.Message);
                }
            });
        }
        finally { copied.Writer.Complete(); }
        timing.Mark("copy");
        await marker;
        timing.Mark("mark-available");
        var registered = items.Where(i => results[i].Status != UploadStatus.Failed).Select(i => i.Did).ToList();
        // What the dataset already holds is listed once, not once per batch.
        var attached = options.Dataset is { } target
            ? (await client.ContentAsync(target, ct)).Select(c => new DidRef(c.Str("scope")!, c.Str("name")!)).ToHashSet()
            : [];
        foreach (var chunk in registered.Chunk(Batch))
        {
            if (options.Dataset is { } dataset)
            {
                var missing = chunk.Where(d => !attached.Contains(d)).ToList();
                if (missing.Count > 0) await client.AttachAsync(dataset, missing, ct);
            }
            else
            {
                // Only files the catalogue knew before can already have a rule; new ones certainly do not.
                var unruled = new List<DidRef>();
                foreach (var did in chunk)
                    if (!existing.ContainsKey(did) || !(await client.DidRulesAsync(did, ct)).Any(r => r.Str("rse_expression") == options.Rse && r.Str("account") == client.Account))
                        unruled.Add(did);
                if (unruled.Count > 0)
                    await client.AddRulesAsync(new RuleRequest(unruled, options.Rse, Lifetime: options.Lifetime), ct);
            }
        }
        timing.Mark("attach");
        timing.Report();
        return items.Select(i => results[i]).ToList();
    }

    private sealed record Known(long? Bytes, string? Adler32, string? OnRse);

    /// <summary>Which of the files the catalogue already knows, with their checksum and the replica state on this RSE.</summary>
    private async Task<Dictionary<DidRef, Known>> ExistingAsync(IReadOnlyList<UploadItem> items, string rse, CancellationToken ct)
    {
        var known = new Dictionary<DidRef, Known>();
        foreach (var chunk in items.Chunk(Batch))
        {
            var dids = new JsonObject { ["dids"] = FerryClient.DidArray(chunk.Select(i => i.Did)), ["inherit"] = false, ["plugin"] = "DID_COLUMN" };
            var found = (await client.ListAsync(HttpMethod.Post, "dids/bulkmeta", dids, ct)).Select(m => new DidRef(m.Str("scope")!, m.Str("name")!)).ToList();
            if (found.Count == 0) continue;
            foreach (var r in await client.ListReplicasAsync(found, allStates: true, ct: ct))
            {
                string? state = r.TryGetProperty("states", out var s) && s.TryGetProperty(rse, out var st) ? st.GetString() : null;
                known[new DidRef(r.Str("scope")!, r.Str("name")!)] = new Known(r.Long("bytes"), r.Str("adler32"), state);
            }
        }
        return known;
    }

    private static async Task<UploadResult> CompareExisting(UploadItem item, Known known, ClientEndpoint endpoint, CancellationToken ct)
    {
        await using var source = new FileStream(item.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var sums = await VerifiedCopy.CopyAsync(source, Stream.Null, false, null, ct);
        var pfn = endpoint.Pfn(Core.Paths.Lfn2Pfn.Hash(item.Did.Scope, item.Did.Name));
        return string.Equals(sums.Adler32, known.Adler32, StringComparison.OrdinalIgnoreCase) && sums.Bytes == known.Bytes
            ? new UploadResult(item, UploadStatus.AlreadyPresent, sums.Bytes, sums.Adler32, null, pfn, null)
            : new UploadResult(item, UploadStatus.Failed, sums.Bytes, sums.Adler32, null, pfn,
                $"{item.Did} is already in the catalogue with adler32 {known.Adler32} and {known.Bytes} bytes; the local file has {sums.Adler32} and {sums.Bytes}");
    }

    /// <summary>Marks a batch AVAILABLE; if the server refuses the batch, files are retried one by one to find the culprit.</summary>
    private async Task<List<(UploadItem, Checksums, string, string?)>> MarkAvailable(string rse, (UploadItem Item, Checksums Sums, string Pfn)[] chunk, CancellationToken ct)
    {
        static JsonObject File((UploadItem Item, Checksums Sums, string Pfn) c) => new()
        {
            ["scope"] = c.Item.Did.Scope, ["name"] = c.Item.Did.Name, ["bytes"] = c.Sums.Bytes, ["adler32"] = c.Sums.Adler32, ["md5"] = c.Sums.Md5, ["state"] = "A",
        };
        try
        {
            await client.UpdateReplicasAsync(rse, new JsonArray(chunk.Select(c => (JsonNode)File(c)).ToArray()), ct);
            return chunk.Select(c => (c.Item, c.Sums, c.Pfn, (string?)null)).ToList();
        }
        catch (FerryApiException) when (chunk.Length > 1)
        {
            var result = new List<(UploadItem, Checksums, string, string?)>();
            foreach (var c in chunk)
            {
                try { await client.UpdateReplicasAsync(rse, [File(c)], ct); result.Add((c.Item, c.Sums, c.Pfn, null)); }
                catch (FerryApiException e) { result.Add((c.Item, c.Sums, c.Pfn, $"{e.ExceptionClass}: {e.Message}")); }
            }
            return result;
        }
        catch (FerryApiException e)
        {
            return chunk.Select(c => (c.Item, c.Sums, c.Pfn, (string?)$"{e.ExceptionClass}: {e.Message}")).ToList();
        }
    }
}

/// <summary>Phase timings on stderr when FERRY_TIMING=1; how the upload benchmark finds where time goes.</summary>
internal sealed class PhaseTimer
{
    private readonly System.Diagnostics.Stopwatch _sw = System.Diagnostics.Stopwatch.StartNew();
    private readonly List<string> _marks = [];
    private readonly bool _on = Environment.GetEnvironmentVariable("FERRY_TIMING") == "1";

    public void Mark(string phase)
    {
        if (!_on) return;
        _marks.Add($"{phase}={_sw.Elapsed.TotalSeconds:F2}s");
        _sw.Restart();
    }

    public void Report()
    {
        if (_on) Console.Error.WriteLine("timing: " + string.Join(' ', _marks));
    }
}
