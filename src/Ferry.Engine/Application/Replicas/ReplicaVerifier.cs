using Ferry.Catalog.Dids;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Core.Errors;
using Ferry.Core.Model;
using Ferry.Core.Paths;
using Ferry.Engine.Storage;
using Ferry.Storage;
using Ferry.Storage.Verification;

namespace Ferry.Engine.Application.Replicas;

/// <summary>
/// The replica invariant: a replica becomes AVAILABLE only once its bytes are on the RSE with the catalogue's (or the
/// request's) size and checksum. The server reads the storage itself (posix, or remote storage it holds credentials
/// for), asking for the storage's own checksum where it has one; a mismatch refuses the whole request (412).
/// Storage that cannot be read refuses the whole request too: the check is never skipped, so nothing becomes AVAILABLE
/// unverified. Storage that does not answer is 503 StorageUnavailable, the class Ferry already answers for an upstream
/// storage outage (the error middleware, the fuzz suite's one accepted 5xx): nothing is wrong with the request or the
/// RSE's declaration, the same request succeeds once the storage answers, and Ferry's SDK retries 503 with backoff.
/// Not RSEProtocolNotSupported (the protocol is supported; its storage is down) nor Rucio's ServiceUnavailable (the
/// Ferry service is up). Storage that refuses the server for good (no credentials for it, an unsupported operation)
/// is 409 StorageError, as everywhere else: retrying cannot help, the server's rse-credentials.json must change.
/// </summary>
/// <remarks>
/// An RSE that declares no protocol Ferry can read through (Rucio's mock RSEs, a catalogue-only RSE) has no storage to
/// be unreachable: there is nothing to compare with, nothing can be read from it either, and its replicas are
/// registered as Rucio registers them. Declaring a readable protocol later does not change replicas already there.
/// </remarks>
public sealed class ReplicaVerifier(RseCatalog rses, RseStorage storage, DidCatalog dids)
{
    public const string UnreachableClass = "StorageUnavailable";
    public const string RefusedClass = "StorageError";

    public async Task VerifyAvailableAsync(string rseName, IReadOnlyList<ReplicaFileSpec> files, CancellationToken ct)
    {
        var toCheck = files.Where(f => f.State == ReplicaState.Available).ToList();
        if (toCheck.Count == 0) return;
        var rse = await rses.GetAsync(rseName);
        RseEndpoint endpoint;
        try { endpoint = await storage.OpenAsync(rse.Id, StorageOperation.Read); }
        catch (FerryException e) when (e.ExceptionClass == "RSEProtocolNotSupported") { return; }
        catch (Exception e) when (Unreachable(e, ct)) { throw NotVerified(toCheck, rseName, null, e); }
        // What the catalogue already says about the files, read in one go (a connection per file cost more than the checks).
        var catalogue = await dids.FindManyAsync(toCheck.Select(f => (f.Scope, f.Name)));
        // Files are checked in parallel: posix re-reads every byte, and the request should cost little more than one read.
        await Parallel.ForEachAsync(toCheck, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount * 2, CancellationToken = ct }, async (f, token) =>
        {
            var known = catalogue.GetValueOrDefault((f.Scope, f.Name));
            var pfn = endpoint.Pfn(Lfn2Pfn.Hash(f.Scope, f.Name));
            var expected = (endpoint.Backend as IServerSideChecksum)?.Algorithm == "md5" ? known?.Md5 ?? f.Md5 : known?.Adler32 ?? f.Adler32;
            long? storedBytes;
            StorageChecksum? actual;
            try { (storedBytes, actual) = await VerifiedCopy.InspectAsync(endpoint.Backend, pfn, withChecksum: expected is not null, token); }
            catch (Exception e) when (Unreachable(e, token)) { throw NotVerified(toCheck, rseName, endpoint, e); }
            if (storedBytes is null)
                throw new FerryException("FileConsistencyMismatch", 412, $"'{f.Scope}:{f.Name}' cannot be AVAILABLE on {rseName}: no file at {pfn}");
            var bytes = f.Bytes ?? known?.Bytes;
            if (bytes is { } b && b != storedBytes)
                throw new FerryException("FileConsistencyMismatch", 412, $"'{f.Scope}:{f.Name}' on {rseName} is {storedBytes} bytes, expected {b}");
            if (actual is not null && expected is not null && !string.Equals(actual.Value, expected, StringComparison.OrdinalIgnoreCase))
                throw new FerryException("FileConsistencyMismatch", 412, $"'{f.Scope}:{f.Name}' on {rseName} has {actual.Algorithm} {actual.Value}, expected {expected}");
        });
    }

    /// <summary>The storage failed, not the request: a timeout of the storage's own is unreachable too, the caller's abort is not.</summary>
    private static bool Unreachable(Exception e, CancellationToken ct) =>
        e is StorageException or HttpRequestException or IOException or TimeoutException || (e is OperationCanceledException && !ct.IsCancellationRequested);

    private static FerryException NotVerified(List<ReplicaFileSpec> files, string rse, RseEndpoint? endpoint, Exception e)
    {
        var where = endpoint is null ? "" : $" through {endpoint.Protocol.Scheme}://{endpoint.Protocol.Hostname}:{endpoint.Protocol.Port}";
        var what = files.Count == 1 ? $"'{files[0].Scope}:{files[0].Name}'" : $"{files.Count} replicas";
        if (e is StorageException { Permanent: true })
            return new FerryException(RefusedClass, 409,
                $"The storage of {rse} refuses the server{where} ({e.Message}), so the size and checksum of {what} cannot be verified: " +
                "nothing was made AVAILABLE. The server needs access to this storage (its rse-credentials.json) to accept AVAILABLE replicas.");
        return new FerryException(UnreachableClass, 503,
            $"The storage of {rse} cannot be reached{where} ({e.Message}), so the size and checksum of {what} cannot be verified: " +
            "nothing was made AVAILABLE. Try again when the storage answers.");
    }
}
