namespace Ferry.Storage.WebDav;

/// <summary>
/// A response body that fails with a retryable error when no byte arrives for <c>idle</c>, instead of waiting
/// forever on a connection that hangs; disposing it releases the response.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, IDisposable owner, TimeSpan idle, string what) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(idle);
        try { return await inner.ReadAsync(buffer, timeout.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new StorageException($"reading {what}: no data for {idle.TotalSeconds:F0} s", permanent: false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException and not StorageException)
        {
            throw new StorageException($"reading {what}: {e.Message}", permanent: false, e);
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) { inner.Dispose(); owner.Dispose(); }
        base.Dispose(disposing);
    }
}
