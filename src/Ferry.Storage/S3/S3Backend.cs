using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ferry.Storage.S3;

/// <summary>
/// S3 and compatible stores (Ceph RGW, s3rver), path-style. The PFN path is <c>/bucket/key</c>. Objects appear only
/// when complete, so verified copies write the final key directly. Objects above <see cref="PartSize"/> go up as a
/// multipart upload with parts in parallel (objects below it go up in one PUT, whose ETag is their md5); a single-part object's ETag is its md5, which verification uses.
/// Credentials: <c>access_key</c>, <c>secret_key</c>, optional <c>region</c>, optional <c>secure</c> (https; the
/// default when the port is 443), optional <c>etag_is_md5</c> (false for buckets encrypted with SSE-KMS or SSE-C).
/// </summary>
public sealed class S3Backend : IStorageBackend, IServerSideChecksum, IAtomicWrite, IRangedRead
{
    public const int PartSize = 32 << 20;

    /// <summary>
    /// Objects of a known size up to this go up in one PUT, as rclone does below 200 MiB: a multipart upload costs three
    /// more requests, and a store that assembles the parts (s3rver) writes every byte twice. 20 x 100 MiB went from
    /// 1.70x to 1.39x rclone's time.
    /// </summary>
    public const int SinglePutLimit = 128 << 20;
    private const int PartsInFlight = 4;
    private readonly AmazonS3Client _s3;
    // With SSE-KMS or SSE-C the ETag is not the md5 of the bytes; such buckets say etag_is_md5=false and get size checks only.
    private readonly bool _etagIsMd5;

    public S3Backend(ProtocolSpec protocol, IReadOnlyDictionary<string, string> credentials)
    {
        if (!credentials.TryGetValue("access_key", out var access) || !credentials.TryGetValue("secret_key", out var secret))
            throw new StorageException($"No S3 access_key/secret_key for {protocol.Hostname}:{protocol.Port} in rse-credentials.json", permanent: true);
        var secure = credentials.GetValueOrDefault("secure") is { } s ? s == "true" : protocol.Port == 443;
        var config = new AmazonS3Config
        {
            ServiceURL = $"{(secure ? "https" : "http")}://{protocol.Hostname}:{(protocol.Port == 0 ? (secure ? 443 : 80) : protocol.Port)}",
            ForcePathStyle = true,
            AuthenticationRegion = credentials.GetValueOrDefault("region", "us-east-1"),
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromSeconds(120),
            MaxErrorRetry = 2,
        };
        _s3 = new AmazonS3Client(new BasicAWSCredentials(access, secret), config);
        _etagIsMd5 = credentials.GetValueOrDefault("etag_is_md5") != "false";
    }

    public string Scheme => "s3";
    public string Algorithm => "md5";

    public string? AlgorithmFor(long? bytes) => _etagIsMd5 && bytes is not > SinglePutLimit ? Algorithm : null;

    private static (string Bucket, string Key) Locate(string pfn)
    {
        var path = PfnParts.Parse(pfn).Path.TrimStart('/');
        var slash = path.IndexOf('/');
        if (slash <= 0) throw new StorageException($"'{pfn}' names no bucket and key (s3://host:port/bucket/key)", permanent: true);
        return (path[..slash], path[(slash + 1)..]);
    }

    public async Task<StorageObject?> StatAsync(string pfn, CancellationToken ct) =>
        await HeadAsync(pfn, ct) is { } head ? new StorageObject(head.ContentLength, head.LastModified is { } m ? new DateTimeOffset(m.ToUniversalTime(), TimeSpan.Zero) : null) : null;

    public async Task<StorageChecksum?> ChecksumAsync(string pfn, CancellationToken ct)
    {
        var head = await HeadAsync(pfn, ct);
        var etag = head?.ETag?.Trim('"');
        return _etagIsMd5 && etag is { Length: 32 } && !etag.Contains('-') ? new StorageChecksum("md5", etag, head!.ContentLength) : null;
    }

    private async Task<GetObjectMetadataResponse?> HeadAsync(string pfn, CancellationToken ct)
    {
        var (bucket, key) = Locate(pfn);
        try { return await _s3.GetObjectMetadataAsync(bucket, key, ct); }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound) { return null; }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException) { throw Classify("HEAD", pfn, e); }
    }

    public async Task<Stream> OpenReadAsync(string pfn, long offset, CancellationToken ct)
    {
        var (bucket, key) = Locate(pfn);
        var request = new GetObjectRequest { BucketName = bucket, Key = key };
        if (offset > 0) request.ByteRange = new ByteRange($"bytes={offset}-");
        try
        {
            var response = await _s3.GetObjectAsync(request, ct);
            return response.ResponseStream;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException) { throw Classify("GET", pfn, e); }
    }

    public async Task<Stream> OpenRangeAsync(string pfn, long offset, long length, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var (bucket, key) = Locate(pfn);
        var request = new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = new ByteRange(offset, offset + length - 1) };
        try
        {
            var response = await _s3.GetObjectAsync(request, ct);
            if (response.ContentLength != length)
            {
                response.Dispose();
                throw new StorageException($"GET {pfn} bytes {offset}-{offset + length - 1}: the server sent {response.ContentLength} bytes", permanent: false);
            }
            return response.ResponseStream;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException) { throw Classify("GET", pfn, e); }
    }

    public async Task<StorageChecksum?> WriteAsync(string pfn, Stream content, long? length, CancellationToken ct)
    {
        var (bucket, key) = Locate(pfn);
        try
        {
            // Signing needs the payload's hash, so each request body is a buffer; parts bound the memory used.
            var single = length is >= 0 and <= SinglePutLimit;
            var first = await ReadPartAsync(content, single ? (int)length!.Value : PartSize, whole: single, ct);
            if (single || first.Length < PartSize)
            {
                var bytes = first.Length;
                PutObjectResponse put;
                // The SDK's own md5 pass over the body is skipped where the ETag is the md5: VerifiedCopy computes it while
                // sending (AlgorithmFor) and compares it with this PUT's ETag, so a second pass only cost CPU.
                using (first)
                    put = await _s3.PutObjectAsync(new PutObjectRequest
                    {
                        BucketName = bucket, Key = key, InputStream = first, UseChunkEncoding = false, AutoCloseStream = false,
                        DisableDefaultChecksumValidation = _etagIsMd5,
                    }, ct);
                var etag = put.ETag?.Trim('"');
                return _etagIsMd5 && etag is { Length: 32 } ? new StorageChecksum("md5", etag, bytes) : null;
            }
            await MultipartAsync(bucket, key, first, content, ct);
            return null;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException) { throw Classify("PUT", pfn, e); }
    }

    private async Task MultipartAsync(string bucket, string key, MemoryStream first, Stream content, CancellationToken ct)
    {
        var upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, ct);
        try
        {
            var inFlight = new List<Task<PartETag>>();
            var part = first;
            for (var number = 1; part.Length > 0; number++)
            {
                var last = part.Length < PartSize;
                inFlight.Add(UploadPartAsync(bucket, key, upload.UploadId, number, part, ct));
                if (inFlight.Count(t => !t.IsCompleted) >= PartsInFlight) await Task.WhenAny(inFlight.Where(t => !t.IsCompleted));
                if (last) break;
                part = await ReadPartAsync(content, PartSize, whole: false, ct);
                if (part.Length == 0) { part.Dispose(); break; }
            }
            var etags = await Task.WhenAll(inFlight);
            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = [.. etags] }, ct);
        }
        catch
        {
            try { await _s3.AbortMultipartUploadAsync(bucket, key, upload.UploadId, CancellationToken.None); }
            catch (Exception e) when (e is AmazonServiceException or AmazonClientException) { }
            throw;
        }
    }

    private async Task<PartETag> UploadPartAsync(string bucket, string key, string uploadId, int number, MemoryStream data, CancellationToken ct)
    {
        using (data)
        {
            var response = await _s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket, Key = key, UploadId = uploadId, PartNumber = number, PartSize = data.Length,
                InputStream = data, UseChunkEncoding = false,
            }, ct);
            return new PartETag(number, response.ETag);
        }
    }

    /// <summary>
    /// Up to <paramref name="size"/> bytes. With <paramref name="whole"/>, the stream said it holds exactly that many, and
    /// one byte more is refused rather than left behind.
    /// </summary>
    private static async Task<MemoryStream> ReadPartAsync(Stream content, int size, bool whole, CancellationToken ct)
    {
        // One buffer of the final size (a growing MemoryStream copies the part several times over), from the pool: a
        // fresh 100 MiB array per object cost as much system time in page faults as the upload's own hashing.
        var want = whole ? size + 1 : size;
        var buffer = ArrayPool<byte>.Shared.Rent(want);
        try
        {
            var n = await content.ReadAtLeastAsync(buffer.AsMemory(0, want), want, throwOnEndOfStream: false, ct);
            if (n > size) throw new StorageException($"the source holds more than the {size} bytes it declared", permanent: true);
            return new PooledBody(buffer, n);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>A request body in a pooled buffer, returned to the pool once when disposed.</summary>
    private sealed class PooledBody(byte[] buffer, int count) : MemoryStream(buffer, 0, count, writable: false, publiclyVisible: true)
    {
        private byte[]? _buffer = buffer;

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (Interlocked.Exchange(ref _buffer, null) is { } b) ArrayPool<byte>.Shared.Return(b);
        }
    }

    public async Task MoveAsync(string fromPfn, string toPfn, CancellationToken ct)
    {
        var (fb, fk) = Locate(fromPfn);
        var (tb, tk) = Locate(toPfn);
        try { await _s3.CopyObjectAsync(fb, fk, tb, tk, ct); }
        catch (AmazonS3Exception)
        {
            // Some S3 look-alikes (s3rver) mishandle server-side copy of nested keys: copy through this process.
            await using var source = await OpenReadAsync(fromPfn, 0, ct);
            await WriteAsync(toPfn, source, null, ct);
        }
        catch (AmazonClientException e) { throw Classify("COPY", fromPfn, e); }
        await DeleteAsync(fromPfn, ct);
    }

    public async Task DeleteAsync(string pfn, CancellationToken ct)
    {
        var (bucket, key) = Locate(pfn);
        try { await _s3.DeleteObjectAsync(bucket, key, ct); }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound) { }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException) { throw Classify("DELETE", pfn, e); }
    }

    public async IAsyncEnumerable<string> ListAsync(string directoryPfn, [EnumeratorCancellation] CancellationToken ct)
    {
        var (bucket, prefix) = Locate(directoryPfn.TrimEnd('/') + "/");
        var root = PfnParts.Parse(directoryPfn).Root;
        string? token = null;
        do
        {
            ListObjectsV2Response page;
            try { page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, ContinuationToken = token }, ct); }
            catch (Exception e) when (e is AmazonServiceException or AmazonClientException) { throw Classify("LIST", directoryPfn, e); }
            foreach (var o in page.S3Objects ?? []) yield return $"{root}/{bucket}/{o.Key}";
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
    }

    public Task MakeDirectoryAsync(string directoryPfn, CancellationToken ct) => Task.CompletedTask;

    private static StorageException Classify(string op, string pfn, Exception e)
    {
        var status = (e as AmazonServiceException)?.StatusCode;
        var permanent = status is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized or HttpStatusCode.NotFound or HttpStatusCode.BadRequest;
        var what = status is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized ? "the storage refused the credentials: " : "";
        return new StorageException($"S3 {op} {pfn}: {what}{(e as AmazonS3Exception)?.ErrorCode ?? e.GetType().Name}: {e.Message}", permanent, e);
    }
}
