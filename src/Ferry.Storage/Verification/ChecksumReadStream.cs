namespace Ferry.Storage.Verification;

/// <summary>
/// A read-only view of a source that checksums every byte a storage backend pulls through it, so a backend that
/// consumes a stream (HTTP PUT, S3 parts, SFTP writes) verifies in the same pass as it sends.
/// </summary>
public sealed class ChecksumReadStream(Stream inner, bool md5, IProgress<long>? progress) : ReadOnlyStream
{
    private readonly ChecksumAccumulator _acc = new(md5);

    public long BytesRead => _acc.Bytes;
    public Checksums Result() => _acc.Result();

    public override long Position { get => _acc.Bytes; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Account(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var n = await inner.ReadAsync(buffer, ct);
        Account(buffer.Span[..n]);
        return n;
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0) return;
        _acc.Append(data);
        progress?.Report(data.Length);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _acc.Dispose();
        base.Dispose(disposing);
    }
}
