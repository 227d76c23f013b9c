namespace Ferry.Storage.WebDav;

/// <summary>
/// A response body that fails with a retryable error when no byte arrives for <c>idle</c>, instead of waiting
/// forever on a connection that hangs; disposing it releases the response.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, IDisposable owner, TimeSpan idle, string what) : ReadOnlyStream
{

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

    protected override void Dispose(bool disposing)
    {
        if (disposing) { inner.Dispose(); owner.Dispose(); }
        base.Dispose(disposing);
    }
}
