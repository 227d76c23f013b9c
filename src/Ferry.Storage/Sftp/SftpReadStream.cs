namespace Ferry.Storage.Sftp;

/// <summary>
/// Reads a remote file with a window of READ requests in flight, so throughput is not bounded by one round trip
/// per chunk. A short answer before the end (which OpenSSH does not give for regular files) restarts the window
/// at the right offset rather than leaving a hole.
/// </summary>
internal sealed class SftpReadStream(SftpSession session, ReadOnlyMemory<byte> handle, long offset, string path) : ReadOnlyStream
{
    private readonly Queue<(long Offset, Task<Packet> Reply)> _window = new();
    private long _nextRequest = offset;
    private long _position = offset;
    private ReadOnlyMemory<byte> _current;
    private bool _eof;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        while (_current.IsEmpty)
        {
            if (_eof) return 0;
            while (_window.Count < SftpBackend.Window)
            {
                var at = _nextRequest;
                _window.Enqueue((at, session.RequestAsync(Fxp.Read, w => w.Bytes(handle.Span).UInt64((ulong)at).UInt32(SftpBackend.ChunkSize), ct)));
                _nextRequest += SftpBackend.ChunkSize;
            }
            var (requested, task) = _window.Dequeue();
            var reply = await task;
            if (reply.Type == Fxp.Status)
            {
                SftpSession.ThrowIfError(reply, path, [Fxp.Eof]);
                _eof = true;
                continue;
            }
            var data = reply.Bytes();
            if (requested != _position) continue;
            _current = data;
            if (data.Length < SftpBackend.ChunkSize)
            {
                await DrainWindowAsync();
                _nextRequest = _position + data.Length;
            }
        }
        var n = Math.Min(buffer.Length, _current.Length);
        _current[..n].CopyTo(buffer);
        _current = _current[n..];
        _position += n;
        return n;
    }

    private async Task DrainWindowAsync()
    {
        while (_window.TryDequeue(out var pending))
            try { await pending.Reply; } catch (StorageException) { }
    }

    private int _closed;

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        await DrainWindowAsync();
        await SftpBackend.CloseAsync(session, handle);
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }
}
