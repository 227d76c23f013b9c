using System.Text.Json.Nodes;
using System.Threading.Channels;
using Ferry.Client.Http;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;
using Ferry.Storage;

namespace Ferry.Transfer.Upload;

/// <summary>Registration, attachment, rules and metadata: in bulk, hundreds of files per request, beside the copies.</summary>
public sealed partial class Uploader
{
    private bool? _bulkMetaServed;

    /// <summary>Bytes after which a batch goes to the server anyway, so that it verifies big files while later ones copy.</summary>
    private const long FlushBytes = 128L << 20;

    /// <summary>
    /// Registers what the copies hand over, a batch at a time: a full batch, 128 MiB of files, or, when the copies
    /// pause, a quarter of a batch or one that has waited a second.
    /// </summary>
    private async Task RegisterLoopAsync(ChannelReader<Ready> reader, Dictionary<string, HashSet<DidRef>> ruled, CancellationToken ct)
    {
        var batch = new List<Ready>();
        long bytes = 0;
        var age = System.Diagnostics.Stopwatch.StartNew();
        await foreach (var r in reader.ReadAllAsync(ct))
        {
            if (batch.Count == 0) age.Restart();
            batch.Add(r);
            bytes += r.File.Entry.Bytes;
            if (batch.Count >= _o.BatchSize || bytes >= FlushBytes
                || (reader.Count == 0 && (batch.Count >= Math.Max(1, _o.BatchSize / 4) || age.Elapsed >= TimeSpan.FromSeconds(1))))
            {
                await RegisterBatchAsync(batch, ruled, ct);
                batch.Clear();
                bytes = 0;
            }
        }
        if (batch.Count > 0) await RegisterBatchAsync(batch, ruled, ct);
    }

    private async Task RegisterBatchAsync(List<Ready> batch, Dictionary<string, HashSet<DidRef>> ruled, CancellationToken ct)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        // 0. Durable first: a power cut after the catalogue said AVAILABLE must not leave the replica without its bytes.
        // Storage that caches writes (posix) flushes the whole batch at once, far cheaper than an fsync per file.
        var written = batch.Where(r => !r.AlreadyRegistered && r.File.Pfn is not null).Select(r => r.File.Pfn!).ToList();
        if (_endpoint.Backend is IDurableWrites durable && written.Count > 0)
        {
            await _retry.ExecuteAsync(async t => await durable.MakeDurableAsync(written, t), ct);
            _timing.Add("durable", sw.Elapsed);
            sw.Restart();
        }
        // 1. Replicas AVAILABLE, now that their bytes are on the RSE: new ones added, rows an older client left COPYING updated.
        foreach (var post in new[] { true, false })
        {
            var group = batch.Where(r => !r.AlreadyRegistered && r.ReplicaRowExists != post).Select(r => r.File).ToList();
            var failed = await BulkAsync(group, (files, t) =>
            {
                var body = new JsonArray(files.Select(f =>
                {
                    var file = new JsonObject
                    {
                        ["scope"] = f.Entry.Did.Scope, ["name"] = f.Entry.Did.Name, ["bytes"] = f.Entry.Bytes, ["adler32"] = f.Adler32, ["state"] = "A",
                        ["meta"] = new JsonObject { ["guid"] = Guid.NewGuid().ToString("N") },
                    };
                    // Left out when not computed: Rucio's schema refuses an md5 of null.
                    if (f.Md5 is not null) file["md5"] = f.Md5;
                    return (JsonNode)file;
                }).ToArray());
                return post ? client.AddReplicasAsync(_o.WriteRse, body, t) : client.UpdateReplicasAsync(_o.WriteRse, body, t);
            }, ct);
            foreach (var f in group)
            {
                if (!failed.TryGetValue(f, out var error)) { f.Status = UploadStatus.Uploaded; continue; }
                // A batch whose answer was lost may have gone through: a replica already there with these bytes is a success.
                if (error is FerryApiException { ExceptionClass: "Duplicate" } && await RegisteredAsAsync(f, ct)) { f.Status = UploadStatus.Uploaded; continue; }
                f.Fail(UploadErrors.Classify(error), UploadErrors.Describe(error));
                // Bytes without a replica are not left behind, unless the server could not be reached: then the next run adopts them.
                if (f.Kind != ErrorKind.Transient && f.Pfn is not null) await DeleteQuietlyAsync(f.Pfn);
            }
        }

        _timing.Add("register", sw.Elapsed);
        sw.Restart();
        // 2. Attached to the dataset, or ruled one by one when there is none.
        var finished = batch.Select(r => r.File).Where(f => f.Status is UploadStatus.Uploaded or UploadStatus.AlreadyPresent).ToList();
        if (_o.Dataset is { } ds)
            MarkFailed(await BulkAsync(finished, (files, t) => AttachAsync(ds, files.Select(f => f.Entry.Did), t), ct), "registered, but not attached to " + ds);
        else
            foreach (var (rse, lifetime) in RuleTargets())
            {
                var set = ruled.GetValueOrDefault(rse) ?? [];
                // A file found already on the final RSE gets no rule on the temporary one (that would copy it back there).
                var unruled = finished.Where(f => f.Status != UploadStatus.Failed && !set.Contains(f.Entry.Did) && (rse == _o.Rse || f.Rse == rse)).ToList();
                var failed = await BulkAsync(unruled, (files, t) => client.AddRulesAsync(new RuleRequest(files.Select(f => f.Entry.Did).ToList(), rse, Lifetime: lifetime), t), ct);
                MarkFailed(failed.Where(x => x.Value is not FerryApiException { ExceptionClass: "DuplicateRule" }).ToDictionary(), $"registered, but no rule on {rse}");
            }

        _timing.Add(_o.Dataset is null ? "rules" : "attach", sw.Elapsed);
        sw.Restart();
        // 3. Metadata.
        if (_o.Meta.Count > 0) await SetMetaAsync(finished.Where(f => f.Status != UploadStatus.Failed).ToList(), ct);
        _timing.Add("meta", sw.Elapsed);
        _journal?.Append(batch.Select(r => DoneRecord(r.File)));
    }

    private void MarkFailed(Dictionary<FileOutcome, Exception> failed, string what)
    {
        foreach (var (f, e) in failed) f.Fail(UploadErrors.Classify(e), $"{what}: {UploadErrors.Describe(e)}");
    }

    private IEnumerable<(string Rse, long? Lifetime)> RuleTargets()
    {
        yield return (_o.Rse, _o.Lifetime);
        if (_o.TempRse is { } temp) yield return (temp, _o.TempLifetime);
    }

    private async Task<bool> RegisteredAsAsync(FileOutcome f, CancellationToken ct)
    {
        List<Ferry.Core.Dialect.RucioReplica> replicas;
        try { replicas = await _retry.ExecuteAsync(async t => await client.ListReplicasAsync([f.Entry.Did], allStates: true, ct: t), ct); }
        catch (Exception e) when (e is FerryException or HttpRequestException) { return false; }
        return replicas.Any(r => string.Equals(r.Adler32, f.Adler32, StringComparison.OrdinalIgnoreCase) && r.Bytes == f.Entry.Bytes
            && r.StateOn(_o.WriteRse) == "AVAILABLE");
    }

    /// <summary>
    /// One request for the whole list, retried on transient errors. When it is refused for another reason, the items
    /// are tried one by one to find which fail (a refused batch changes nothing: the server runs each in one transaction).
    /// Returns the items that failed, with their error.
    /// </summary>
    private async Task<Dictionary<T, Exception>> BulkAsync<T>(IReadOnlyList<T> items, Func<IReadOnlyList<T>, CancellationToken, Task> call, CancellationToken ct) where T : notnull
    {
        var failed = new Dictionary<T, Exception>();
        foreach (var chunk in items.Chunk(_o.BatchSize))
        {
            try
            {
                await _retry.ExecuteAsync(async t => await call(chunk, t), ct);
                continue;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (chunk.Length == 1 || UploadErrors.IsTransient(e) || UploadErrors.Classify(e) is ErrorKind.PermissionDenied or ErrorKind.RseNotWritable)
                {
                    foreach (var item in chunk) failed[item] = e;
                    continue;
                }
            }
            foreach (var item in chunk)
            {
                try { await _retry.ExecuteAsync(async t => await call([item], t), ct); }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) { failed[item] = e; }
            }
        }
        return failed;
    }

    /// <summary>Attaches, ignoring what is already attached (so a rerun can attach again safely).</summary>
    private Task AttachAsync(DidRef parent, IEnumerable<DidRef> children, CancellationToken ct) =>
        client.NoContentAsync(HttpMethod.Post, "dids/attachments", new JsonObject
        {
            ["attachments"] = new JsonArray(new JsonObject { ["scope"] = parent.Scope, ["name"] = parent.Name, ["dids"] = FerryClient.DidArray(children) }),
            ["ignore_duplicate"] = true,
        }, ct);

    /// <summary>
    /// --meta on every file: Rucio's bulk call (POST /dids/bulkdidsmeta) where the server has it, else one request per
    /// DID, <see cref="UploadOptions.Parallel"/> at a time.
    /// </summary>
    private async Task SetMetaAsync(List<FileOutcome> files, CancellationToken ct)
    {
        JsonObject Meta() => new(_o.Meta.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(long.TryParse(kv.Value, out var n) ? JsonValue.Create(n) : JsonValue.Create(kv.Value)))));
        if (_bulkMetaServed != false)
        {
            try
            {
                var body = new JsonObject { ["dids"] = new JsonArray(files.Select(f => (JsonNode)new JsonObject { ["scope"] = f.Entry.Did.Scope, ["name"] = f.Entry.Did.Name, ["meta"] = Meta() }).ToArray()) };
                await _retry.ExecuteAsync(async t => await client.NoContentAsync(HttpMethod.Post, "dids/bulkdidsmeta", body, t), ct);
                _bulkMetaServed = true;
                return;
            }
            catch (FerryApiException e) when (_bulkMetaServed is null && e.Status is 404 or 405) { _bulkMetaServed = false; }
        }
        var errors = new System.Collections.Concurrent.ConcurrentDictionary<FileOutcome, Exception>();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = _o.Parallel, CancellationToken = ct }, async (f, t) =>
        {
            try
            {
                await _retry.ExecuteAsync(async t2 => await client.NoContentAsync(HttpMethod.Post,
                    $"dids/{FerryClient.Escape(f.Entry.Did.Scope)}/{FerryClient.Escape(f.Entry.Did.Name)}/meta", new JsonObject { ["meta"] = Meta() }, t2), t);
            }
            catch (Exception e) when (e is not OperationCanceledException || !t.IsCancellationRequested) { errors[f] = e; }
        });
        MarkFailed(errors.ToDictionary(), "registered, but its metadata was not set");
    }

    /// <summary>Creates the dataset and container when absent, before any byte moves (a refusal fails every file).</summary>
    private async Task<bool> EnsureCollectionsAsync(List<FileOutcome> outcomes, CancellationToken ct)
    {
        try
        {
            foreach (var (did, type) in new[] { (_o.Container, "CONTAINER"), (_o.Dataset, "DATASET") })
            {
                if (did is not { } d) continue;
                try { await _retry.ExecuteAsync(async t => await client.AddCollectionAsync(d, type, ct: t), ct); }
                catch (FerryApiException e) when (e.ExceptionClass == "DataIdentifierAlreadyExists") { }
            }
            if (_o.Container is { } c && _o.Dataset is { } ds) await _retry.ExecuteAsync(async t => await AttachAsync(c, [ds], t), ct);
            return true;
        }
        catch (FerryApiException e)
        {
            FailAll(outcomes, UploadErrors.Classify(e), UploadErrors.Describe(e));
            return false;
        }
    }

    /// <summary>Files (by DID) that already have this account's rule on each target RSE; one listing per RSE.</summary>
    private async Task<Dictionary<string, HashSet<DidRef>>> RuledAsync(string account, CancellationToken ct)
    {
        var result = new Dictionary<string, HashSet<DidRef>>();
        foreach (var (rse, _) in RuleTargets())
            result[rse] = (await client.ListAsync(HttpMethod.Get, $"rules/?account={FerryClient.Escape(account)}&rse_expression={FerryClient.Escape(rse)}", ct: ct))
                .Where(r => r.Str("rse_expression") == rse && r.Str("account") == account).Select(r => new DidRef(r.Str("scope")!, r.Str("name")!)).ToHashSet();
        return result;
    }

    /// <summary>
    /// The dataset's rules, added once its files are attached: on the RSE, and with a lifetime on the temporary RSE.
    /// When the rule on the RSE is refused for quota (the pre-check could not see everything: files already in the
    /// catalogue, or another upload spending the same quota meanwhile), what this run registered is taken back, so
    /// nothing is left attached and unprotected: its files are detached and their replicas withdrawn (the reaper
    /// removes the bytes), and they fail as QUOTA_EXCEEDED.
    /// </summary>
    private async Task FinishCollectionsAsync(string account, IReadOnlyList<FileOutcome> outcomes, CancellationToken ct)
    {
        if (_o.Dataset is not { } ds) return;
        var existing = await client.DidRulesAsync(ds, ct);
        foreach (var (rse, lifetime) in RuleTargets())
        {
            if (existing.Any(r => r.RseExpression == rse && r.Account == account)) continue;
            try { await _retry.ExecuteAsync(async t => await client.AddRulesAsync(new RuleRequest([ds], rse, Lifetime: lifetime), t), ct); }
            catch (FerryApiException e) when (rse == _o.Rse && UploadErrors.Classify(e) == ErrorKind.QuotaExceeded)
            {
                await WithdrawAsync(ds, outcomes.Where(f => f.Status is UploadStatus.Uploaded or UploadStatus.AlreadyPresent).ToList(), e, ct);
                return;
            }
            catch (FerryApiException e) { _errors.Add($"the rule on {ds} to {rse} was refused: {UploadErrors.Describe(e)}"); }
        }
    }

    /// <summary>Detaches the run's files from the dataset; the replicas this run registered (not those found present) are withdrawn.</summary>
    private async Task WithdrawAsync(DidRef ds, List<FileOutcome> attached, FerryApiException refusal, CancellationToken ct)
    {
        var why = $"the rule on {ds} to {_o.Rse} was refused: {UploadErrors.Describe(refusal)}";
        var detached = await BulkAsync(attached, (files, t) => client.NoContentAsync(HttpMethod.Delete,
            $"dids/{FerryClient.Escape(ds.Scope)}/{FerryClient.Escape(ds.Name)}/dids", new JsonObject { ["dids"] = FerryClient.DidArray(files.Select(f => f.Entry.Did)) }, t), ct);
        var toWithdraw = attached.Where(f => f.Status == UploadStatus.Uploaded && !detached.ContainsKey(f)).ToList();
        var kept = await BulkAsync(toWithdraw, (files, t) => client.NoContentAsync(HttpMethod.Delete, "replicas", new JsonObject
        {
            ["rse"] = _o.WriteRse, ["files"] = FerryClient.DidArray(files.Select(f => f.Entry.Did)), ["ignore_availability"] = true,
        }, t), ct);
        var registered = toWithdraw.Count;
        foreach (var f in attached)
        {
            var left = detached.GetValueOrDefault(f) ?? kept.GetValueOrDefault(f);
            var undone = f.Status == UploadStatus.Uploaded ? "its registration was withdrawn" : "it was detached (its replica, there before, is kept)";
            f.Fail(ErrorKind.QuotaExceeded, left is null ? $"{why}; {undone}" : $"{why}; taking it back failed too: {UploadErrors.Describe(left)}");
            Done(f);
        }
        _errors.Add($"{why}; the run's {attached.Count} file(s) were detached and the {registered} replica(s) it registered withdrawn");
    }
}
