using Ferry.Catalog.Replicas;
using Ferry.Core.Errors;
using Ferry.Engine.Storage;
using Ferry.Storage;
using Ferry.Storage.Verification;
using Microsoft.Extensions.Logging;

namespace Ferry.Engine.Site;

/// <summary>What the audit found for one replica: OK, BAD (declared, so the usual recovery copies it again) or ERROR (not readable now).</summary>
public sealed record AuditResult(string Scope, string Name, string Outcome, string? Detail);

/// <summary>
/// Re-reads replicas of an RSE at the rate the caller sets (files per round), compares size and adler32 with the
/// catalogue, and declares mismatches BAD through the same path as `POST /replicas/bad`: a locked copy is copied
/// again from a good one, and the last copy stays, marked BAD, for a person.
/// </summary>
public sealed class ChecksumAudit(ChecksumAuditQueue queue, ReplicaCatalog replicas, RseStorage storage, ILogger<ChecksumAudit> logger)
{
    /// <param name="only">The files a restricted round may touch (`ferry site run --dids`); null for the whole RSE.</param>
    public async Task<IReadOnlyList<AuditResult>> RunAsync(string rse, int files, CancellationToken ct, IReadOnlySet<(string Scope, string Name)>? only = null)
    {
        var (rseId, items) = await queue.NextAsync(rse, files, only);
        if (items.Count == 0) return [];
        var endpoint = await storage.OpenAsync(rseId, StorageOperation.Read);
        var results = new List<AuditResult>();
        foreach (var item in items)
        {
            ct.ThrowIfCancellationRequested();
            var pfn = endpoint.Pfn(item.Path ?? Core.Paths.Lfn2Pfn.Hash(item.Scope, item.Name));
            Checksums read;
            try
            {
                await using var input = await endpoint.Backend.OpenReadAsync(pfn, 0, ct);
                read = await VerifiedCopy.CopyAsync(input, Stream.Null, computeMd5: false, null, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FerryException && !ct.IsCancellationRequested)
            {
                // Unreadable is not proof of corruption (the storage may be down): reported, not declared.
                results.Add(new(item.Scope, item.Name, "ERROR", e.Message));
                continue;
            }
            if (read.Bytes == item.Bytes && string.Equals(read.Adler32, item.Adler32, StringComparison.OrdinalIgnoreCase))
            {
                await queue.MarkCheckedAsync(item);
                results.Add(new(item.Scope, item.Name, "OK", null));
                continue;
            }
            var why = $"checksum audit: read {read.Bytes} bytes adler32 {read.Adler32}, catalogue has {item.Bytes} bytes adler32 {item.Adler32}";
            logger.LogWarning("Replica {Scope}:{Name} on {Rse} is corrupt, declared BAD: {Why}", item.Scope, item.Name, rse, why);
            await replicas.DeclareBadAsync([(item.Scope, item.Name, rse)], why);
            await queue.MarkCheckedAsync(item);
            results.Add(new(item.Scope, item.Name, "BAD", why));
        }
        return results;
    }
}
