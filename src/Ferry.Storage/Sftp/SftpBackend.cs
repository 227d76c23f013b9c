using System.Runtime.CompilerServices;

namespace Ferry.Storage.Sftp;

/// <summary>
/// SFTP (and <c>scp</c> PFNs, served the same way) with key authentication. A few long-lived sessions are shared
/// by all transfers to a host; each keeps many reads or writes in flight, which is what makes SFTP fast over
/// latency. Credentials: <c>user</c>, <c>private_key_file</c>, optional <c>known_hosts_file</c> (without it the
/// host key is accepted on first use and pinned in the user's known_hosts), optional <c>sessions</c>.
/// </summary>
public sealed class SftpBackend : IStorageBackend, IAsyncDisposable
{
    internal const int ChunkSize = 64 * 1024;
    internal const int Window = 16;
    private readonly SshTarget _target;
    private readonly SftpSession?[] _sessions;
    private readonly SemaphoreSlim _connect = new(1, 1);
    private int _next;

    public SftpBackend(ProtocolSpec protocol, IReadOnlyDictionary<string, string> credentials)
    {
        Scheme = protocol.Scheme;
        _target = new SshTarget(protocol.Hostname, protocol.Port, credentials.GetValueOrDefault("user", Environment.UserName),
            credentials.GetValueOrDefault("private_key_file"), credentials.GetValueOrDefault("known_hosts_file"));
        _sessions = new SftpSession?[int.TryParse(credentials.GetValueOrDefault("sessions"), out var n) && n > 0 ? n : 4];
    }

    public string Scheme { get; }

    private async Task<SftpSession> SessionAsync(CancellationToken ct)
    {
        var slot = (int)((uint)Interlocked.Increment(ref _next) % _sessions.Length);
        if (_sessions[slot] is { IsOpen: true } live) return live;
        await _connect.WaitAsync(ct);
        try
        {
            if (_sessions[slot] is { IsOpen: true } again) return again;
            if (_sessions[slot] is { } dead) await dead.DisposeAsync();
            return _sessions[slot] = await SftpSession.StartAsync(_target, ct);
        }
        finally { _connect.Release(); }
    }

    private static string PathOf(string pfn) => PfnParts.Parse(pfn).Path;

    public async Task<StorageObject?> StatAsync(string pfn, CancellationToken ct)
    {
        var path = PathOf(pfn);
        var reply = await (await SessionAsync(ct)).RequestAsync(Fxp.Stat, w => w.String(path), ct);
        if (reply.Type == Fxp.Status)
        {
            SftpSession.ThrowIfError(reply, path, [Fxp.NoSuchFile]);
            return null;
        }
        return new StorageObject(reply.Attrs().Size ?? 0);
    }

    public async Task<Stream> OpenReadAsync(string pfn, long offset, CancellationToken ct)
    {
        var path = PathOf(pfn);
        var session = await SessionAsync(ct);
        var handle = await OpenAsync(session, path, Fxp.FlagRead, ct);
        return new SftpReadStream(session, handle, offset, path);
    }

    public async Task<StorageChecksum?> WriteAsync(string pfn, Stream content, long? length, CancellationToken ct)
    {
        var path = PathOf(pfn);
        var session = await SessionAsync(ct);
        ReadOnlyMemory<byte> handle;
        try { handle = await OpenAsync(session, path, Fxp.FlagWrite | Fxp.FlagCreate | Fxp.FlagTruncate, ct); }
        catch (StorageException) when (Untouched.Stream(content))
        {
            await MakeDirectoryAsync(pfn[..(pfn.LastIndexOf('/') + 1)], ct);
            handle = await OpenAsync(session, path, Fxp.FlagWrite | Fxp.FlagCreate | Fxp.FlagTruncate, ct);
        }
        try
        {
            var inFlight = new Queue<Task<Packet>>();
            long offset = 0;
            while (true)
            {
                var chunk = new byte[ChunkSize];
                var n = await content.ReadAtLeastAsync(chunk, ChunkSize, throwOnEndOfStream: false, ct);
                if (n == 0) break;
                var at = offset;
                inFlight.Enqueue(session.RequestAsync(Fxp.Write, w => w.Bytes(handle.Span).UInt64((ulong)at).Bytes(chunk.AsSpan(0, n)), ct));
                offset += n;
                if (inFlight.Count >= Window) SftpSession.ThrowIfError(await inFlight.Dequeue(), path, [Fxp.Ok]);
                if (n < ChunkSize) break;
            }
            while (inFlight.Count > 0) SftpSession.ThrowIfError(await inFlight.Dequeue(), path, [Fxp.Ok]);
        }
        finally
        {
            await CloseAsync(session, handle);
        }
        return null;
    }

    internal static async Task<ReadOnlyMemory<byte>> OpenAsync(SftpSession session, string path, uint flags, CancellationToken ct)
    {
        var reply = await session.RequestAsync(Fxp.Open, w => w.String(path).UInt32(flags).EmptyAttrs(), ct);
        SftpSession.ThrowIfError(reply, path, []);
        return reply.Bytes();
    }

    internal static async Task CloseAsync(SftpSession session, ReadOnlyMemory<byte> handle)
    {
        try { await session.RequestAsync(Fxp.Close, w => w.Bytes(handle.Span), CancellationToken.None); }
        catch (StorageException) { /* the session died; the server closes its handles with it */ }
    }

    public async Task MoveAsync(string fromPfn, string toPfn, CancellationToken ct)
    {
        var (from, to) = (PathOf(fromPfn), PathOf(toPfn));
        var session = await SessionAsync(ct);
        if (session.PosixRename)
        {
            await session.ExpectOkAsync(Fxp.Extended, from, w => w.String("posix-rename@openssh.com").String(from).String(to), ct);
            return;
        }
        await DeleteAsync(toPfn, ct);
        await session.ExpectOkAsync(Fxp.Rename, from, w => w.String(from).String(to), ct);
    }

    public async Task DeleteAsync(string pfn, CancellationToken ct)
    {
        var path = PathOf(pfn);
        var reply = await (await SessionAsync(ct)).RequestAsync(Fxp.Remove, w => w.String(path), ct);
        SftpSession.ThrowIfError(reply, path, [Fxp.Ok, Fxp.NoSuchFile]);
    }

    public async Task MakeDirectoryAsync(string directoryPfn, CancellationToken ct)
    {
        var session = await SessionAsync(ct);
        var segments = PathOf(directoryPfn).Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i <= segments.Length; i++)
        {
            var dir = "/" + string.Join('/', segments.Take(i));
            var reply = await session.RequestAsync(Fxp.MkDir, w => w.String(dir).EmptyAttrs(), ct);
            // FAILURE is how OpenSSH says "exists"; a real failure shows up on the next level or the write.
            SftpSession.ThrowIfError(reply, dir, [Fxp.Ok, Fxp.Failure, Fxp.PermissionDenied]);
        }
    }

    public async IAsyncEnumerable<string> ListAsync(string directoryPfn, [EnumeratorCancellation] CancellationToken ct)
    {
        var root = PfnParts.Parse(directoryPfn).Root;
        var pending = new Queue<string>([PathOf(directoryPfn).TrimEnd('/')]);
        var session = await SessionAsync(ct);
        while (pending.TryDequeue(out var dir))
        {
            var open = await session.RequestAsync(Fxp.OpenDir, w => w.String(dir), ct);
            if (SftpSession.StatusOf(open) is Fxp.NoSuchFile) continue;
            SftpSession.ThrowIfError(open, dir, []);
            var handle = open.Bytes();
            try
            {
                while (true)
                {
                    var page = await session.RequestAsync(Fxp.ReadDir, w => w.Bytes(handle.Span), ct);
                    if (page.Type == Fxp.Status) { SftpSession.ThrowIfError(page, dir, [Fxp.Eof]); break; }
                    for (var n = page.UInt32(); n > 0; n--)
                    {
                        var name = page.String();
                        page.String();
                        var (_, perms) = page.Attrs();
                        if (name is "." or "..") continue;
                        if (perms is { } p && (p & 0xF000) == 0x4000) pending.Enqueue(dir + "/" + name);
                        else yield return root + dir + "/" + name;
                    }
                }
            }
            finally { await CloseAsync(session, handle); }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _sessions) if (s is not null) await s.DisposeAsync();
    }
}
