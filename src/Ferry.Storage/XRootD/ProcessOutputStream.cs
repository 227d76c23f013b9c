using System.Diagnostics;

namespace Ferry.Storage.XRootD;

/// <summary>
/// A tool's standard output as a stream. End of output is only trusted when the tool exited with 0: a copy that
/// died half-way must not look like a short file. Disposing early kills the tool.
/// </summary>
internal sealed class ProcessOutputStream : ReadOnlyStream
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

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var n = await _stdout.ReadAsync(buffer, ct);
        if (n > 0) return n;
        await _process.WaitForExitAsync(ct);
        if (_process.ExitCode != 0) throw XrdTool.Error("read", _what, await _stderr);
        return 0;
    }

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
