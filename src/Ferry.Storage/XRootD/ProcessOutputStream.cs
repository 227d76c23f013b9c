using System.Diagnostics;

namespace Ferry.Storage.XRootD;

/// <summary>
/// A tool's standard output as a stream. End of output is only trusted when the tool exited with 0: a copy that
/// died half-way must not look like a short file. Disposing early kills the tool.
/// </summary>
internal sealed class ProcessOutputStream : Stream
{
    private readonly Process _process;
    private readonly Stream _stdout;
    private readonly Task<string> _stderr;
    private readonly string _what;

    public ProcessOutputStream(Process process, string what)
    {
        _process = process;
        _stdout = process.StandardOutput.BaseStream;
        _stderr = process.StandardError.ReadToEndAsync();
        _what = what;
    }

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
        var n = await _stdout.ReadAsync(buffer, ct);
        if (n > 0) return n;
        await _process.WaitForExitAsync(ct);
        if (_process.ExitCode != 0) throw XrdTool.Error("read", _what, await _stderr);
        return 0;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            XrdTool.Kill(_process);
            _process.Dispose();
        }
        base.Dispose(disposing);
    }
}
