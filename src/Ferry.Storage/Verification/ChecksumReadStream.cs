namespace Ferry.Storage.Verification;

/// <summary>
/// A read-only view of a source that checksums every byte a storage backend pulls through it, so a backend that
/// consumes a stream (HTTP PUT, S3 parts, SFTP writes) verifies in the same pass as it sends.
/// </summary>
public sealed class ChecksumReadStream(Stream inner, bool md5, IProgress<long>? progress) : Stream
{
    private readonly ChecksumAccumulator _acc = new(md5);

    public long BytesRead => _acc.Bytes;
    public Checksums Result() => _acc.Result();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _acc.Bytes; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Account(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

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

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _acc.Dispose();
        base.Dispose(disposing);
    }
}
