using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Ferry.Storage.Sftp;

/// <summary>Where and as whom to connect; the key never leaves the file named here.</summary>
public sealed record SshTarget(string Host, int Port, string User, string? KeyFile, string? KnownHostsFile);

/// <summary>
/// One SFTP v3 conversation over the OpenSSH client's <c>-s sftp</c> subsystem: ssh does the transport, keys and
/// host verification, this class speaks the file protocol. Requests are multiplexed by id, so many reads and
/// writes are in flight on one connection. (No SSH library is served on this project's package mirror; see
/// docs/dependencies.md.)
/// </summary>
internal sealed class SftpSession : IAsyncDisposable
{
    private readonly Process _ssh;
    private readonly Stream _input, _output;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<Packet>> _pending = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _reader;
    private uint _nextId;
    private volatile string? _closedReason;

    public bool PosixRename { get; private set; }
    public bool IsOpen => _closedReason is null;

    private SftpSession(Process ssh)
    {
        _ssh = ssh;
        _input = ssh.StandardInput.BaseStream;
        _output = ssh.StandardOutput.BaseStream;
        ssh.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (_stderr) _stderr.AppendLine(line); };
        ssh.BeginErrorReadLine();
        _reader = Task.Run(ReadLoopAsync);
    }

    public static async Task<SftpSession> StartAsync(SshTarget target, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("ssh")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in Arguments(target)) psi.ArgumentList.Add(a);
        Process ssh;
        try { ssh = Process.Start(psi) ?? throw new StorageException("could not start ssh", permanent: true); }
        catch (System.ComponentModel.Win32Exception e) { throw new StorageException("the OpenSSH client (ssh) is not installed", permanent: true, e); }
        var session = new SftpSession(ssh);
        try
        {
            await session.HandshakeAsync(ct);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    private static IEnumerable<string> Arguments(SshTarget t)
    {
        string[] options =
        [
            "BatchMode=yes", "IdentitiesOnly=yes", "ConnectTimeout=10", "ServerAliveInterval=15", "ServerAliveCountMax=4",
            "Compression=no", "Ciphers=aes128-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr",
            t.KnownHostsFile is null ? "StrictHostKeyChecking=accept-new" : "StrictHostKeyChecking=yes",
        ];
        foreach (var o in options) { yield return "-o"; yield return o; }
        if (t.KnownHostsFile is not null) { yield return "-o"; yield return "UserKnownHostsFile=" + t.KnownHostsFile; }
        if (t.KeyFile is not null) { yield return "-i"; yield return t.KeyFile; }
        if (t.Port != 0) { yield return "-p"; yield return t.Port.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        yield return "-s";
        yield return $"{t.User}@{t.Host}";
        yield return "sftp";
    }

    private async Task HandshakeAsync(CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<Packet>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[uint.MaxValue] = tcs;
        await SendAsync(new PacketWriter(Fxp.Init, null).UInt32(3), ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        Packet version;
        try { version = await tcs.Task.WaitAsync(timeout.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { throw Failed("no SFTP greeting within 30 s"); }
        version.UInt32();
        while (version.HasMore)
        {
            if (version.String() == "posix-rename@openssh.com") PosixRename = true;
            version.Bytes();
        }
    }

    public async Task<Packet> RequestAsync(byte type, Action<PacketWriter> fields, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId) & 0x7fffffff;
        var tcs = new TaskCompletionSource<Packet>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        if (_closedReason is { } reason) { _pending.TryRemove(id, out _); throw Failed(reason); }
        var writer = new PacketWriter(type, id);
        fields(writer);
        await SendAsync(writer, ct);
        return await tcs.Task.WaitAsync(ct);
    }

    /// <summary>A request whose answer must be STATUS OK; other statuses become storage errors naming <paramref name="path"/>.</summary>
    public async Task ExpectOkAsync(byte type, string path, Action<PacketWriter> fields, CancellationToken ct)
    {
        var reply = await RequestAsync(type, fields, ct);
        ThrowIfError(reply, path, okStatuses: [Fxp.Ok]);
    }

    public static uint? StatusOf(Packet reply) => reply.Type == Fxp.Status ? reply.UInt32() : null;

    public static void ThrowIfError(Packet reply, string path, uint[] okStatuses)
    {
        if (reply.Type != Fxp.Status) return;
        var code = reply.UInt32();
        if (okStatuses.Contains(code)) return;
        var message = reply.String();
        var permanent = code is Fxp.NoSuchFile or Fxp.PermissionDenied or Fxp.OpUnsupported;
        throw new StorageException($"SFTP {path}: {(code == Fxp.PermissionDenied ? "permission denied" : message)}", permanent);
    }

    private async Task SendAsync(PacketWriter writer, CancellationToken ct)
    {
        var bytes = writer.Finish();
        await _sendLock.WaitAsync(ct);
        try { await _input.WriteAsync(bytes, ct); await _input.FlushAsync(ct); }
        catch (IOException e) { Close("the ssh connection closed"); throw Failed(e.Message); }
        finally { _sendLock.Release(); }
    }

    private async Task ReadLoopAsync()
    {
        var header = new byte[4];
        try
        {
            while (true)
            {
                await _output.ReadExactlyAsync(header);
                var length = (int)BinaryPrimitives.ReadUInt32BigEndian(header);
                var body = new byte[length];
                await _output.ReadExactlyAsync(body);
                var type = body[0];
                if (type == Fxp.Version) { Complete(uint.MaxValue, new Packet(type, body, 1)); continue; }
                var id = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1));
                Complete(id, new Packet(type, body, 5));
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException) { }
        await Task.Run(() => _ssh.WaitForExit(2000));
        Close(SshError() ?? "the ssh connection closed");
    }

    private void Complete(uint id, Packet packet)
    {
        if (_pending.TryRemove(id, out var tcs)) tcs.TrySetResult(packet);
    }

    private void Close(string reason)
    {
        _closedReason ??= reason;
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var tcs)) tcs.TrySetException(Failed(reason));
    }

    private string? SshError()
    {
        string text;
        lock (_stderr) text = _stderr.ToString().Trim();
        return text.Length == 0 ? null : text.Split('\n')[^1].Trim();
    }

    private static StorageException Failed(string reason)
    {
        var permanent = reason.Contains("Permission denied", StringComparison.Ordinal) || reason.Contains("Host key verification failed", StringComparison.Ordinal)
                        || reason.Contains("Could not resolve", StringComparison.Ordinal) || reason.Contains("not accessible", StringComparison.Ordinal);
        var text = reason.Contains("Permission denied", StringComparison.Ordinal) ? $"the SSH server refused the credentials ({reason})" : reason;
        return new StorageException("SFTP: " + text, permanent);
    }

    public async ValueTask DisposeAsync()
    {
        Close("the session was closed");
        try { _input.Close(); } catch (IOException) { }
        if (!_ssh.WaitForExit(2000)) try { _ssh.Kill(); } catch (InvalidOperationException) { }
        try { await _reader.WaitAsync(TimeSpan.FromSeconds(2)); } catch (TimeoutException) { }
        _ssh.Dispose();
    }
}
