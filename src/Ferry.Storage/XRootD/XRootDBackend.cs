using System.Globalization;
using System.Runtime.CompilerServices;

namespace Ferry.Storage.XRootD;

/// <summary>
/// The <c>root</c> protocol through xrdcp (streamed through stdin/stdout, so nothing is staged on local disk) and
/// xrdfs (stat, mv, rm, mkdir, ls, and the server-side adler32 query that verification uses).
/// </summary>
public sealed class XRootDBackend(ProtocolSpec protocol) : IStorageBackend, IServerSideChecksum
{
    private readonly string _server = protocol.Port == 0 ? protocol.Hostname : $"{protocol.Hostname}:{protocol.Port}";

    public string Scheme => "root";
    public string Algorithm => "adler32";

    private string Url(string path) => $"root://{_server}/{path}";
    private static string PathOf(string pfn) => PfnParts.Parse(pfn).Path;

    public async Task<StorageObject?> StatAsync(string pfn, CancellationToken ct)
    {
        var path = PathOf(pfn);
        var r = await XrdTool.RunAsync("xrdfs", [_server, "stat", path], ct);
        if (r.ExitCode != 0)
        {
            if (XrdTool.IsNotFound(r)) return null;
            throw XrdTool.Error("stat", path, r.Stderr);
        }
        var size = r.Stdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Size:", StringComparison.Ordinal));
        return size is null ? throw new StorageException($"XRootD stat {path}: no size in the answer", permanent: false)
            : new StorageObject(long.Parse(size["Size:".Length..].Trim(), CultureInfo.InvariantCulture));
    }

    public async Task<StorageChecksum?> ChecksumAsync(string pfn, CancellationToken ct)
    {
        var path = PathOf(pfn);
        var r = await XrdTool.RunAsync("xrdfs", [_server, "query", "checksum", path], ct);
        if (r.ExitCode != 0) return XrdTool.IsNotFound(r) ? null : throw XrdTool.Error("checksum", path, r.Stderr);
        var parts = r.Stdout.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && parts[0] == "adler32" ? new StorageChecksum("adler32", parts[1].PadLeft(8, '0').ToLowerInvariant()) : null;
    }

    public async Task<Stream> OpenReadAsync(string pfn, long offset, CancellationToken ct)
    {
        var path = PathOf(pfn);
        var process = XrdTool.Start("xrdcp", ["-s", "-f", Url(path), "-"]);
        process.StandardInput.Close();
        var stream = new ProcessOutputStream(process, $"XRootD read {path}");
        // xrdcp has no offset option: resume costs re-reading the head, which is cheap next to a failed transfer.
        if (offset > 0)
        {
            var skip = new byte[1 << 16];
            for (var left = offset; left > 0;)
            {
                var n = await stream.ReadAsync(skip.AsMemory(0, (int)Math.Min(skip.Length, left)), ct);
                if (n == 0) break;
                left -= n;
            }
        }
        return stream;
    }

    public async Task<StorageChecksum?> WriteAsync(string pfn, Stream content, long? length, CancellationToken ct)
    {
        var path = PathOf(pfn);
        using var process = XrdTool.Start("xrdcp", ["-s", "-f", "-p", "-", Url(path)]);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        _ = process.StandardOutput.ReadToEndAsync(ct);
        try
        {
            await using (var stdin = process.StandardInput.BaseStream)
                await content.CopyToAsync(stdin, 1 << 20, ct);
            await process.WaitForExitAsync(ct);
        }
        catch (Exception e) when (e is IOException and not StorageException or OperationCanceledException)
        {
            XrdTool.Kill(process);
            if (ct.IsCancellationRequested) throw;
            await process.WaitForExitAsync(CancellationToken.None);
            throw XrdTool.Error("write", path, await stderr + "\n" + e.Message);
        }
        if (process.ExitCode != 0) throw XrdTool.Error("write", path, await stderr);
        return null;
    }

    public async Task MoveAsync(string fromPfn, string toPfn, CancellationToken ct)
    {
        var (from, to) = (PathOf(fromPfn), PathOf(toPfn));
        await DeleteAsync(toPfn, ct);
        var r = await XrdTool.RunAsync("xrdfs", [_server, "mv", from, to], ct);
        if (r.ExitCode != 0) throw XrdTool.Error("mv", from, r.Stderr);
    }

    public async Task DeleteAsync(string pfn, CancellationToken ct)
    {
        var path = PathOf(pfn);
        var r = await XrdTool.RunAsync("xrdfs", [_server, "rm", path], ct);
        if (r.ExitCode != 0 && !XrdTool.IsNotFound(r)) throw XrdTool.Error("rm", path, r.Stderr);
    }

    public async Task MakeDirectoryAsync(string directoryPfn, CancellationToken ct)
    {
        var path = PathOf(directoryPfn).TrimEnd('/');
        var r = await XrdTool.RunAsync("xrdfs", [_server, "mkdir", "-p", path], ct);
        if (r.ExitCode != 0) throw XrdTool.Error("mkdir", path, r.Stderr);
    }

    public async IAsyncEnumerable<string> ListAsync(string directoryPfn, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = PathOf(directoryPfn).TrimEnd('/');
        var r = await XrdTool.RunAsync("xrdfs", [_server, "ls", "-l", "-R", path], ct);
        if (r.ExitCode != 0)
        {
            if (XrdTool.IsNotFound(r)) yield break;
            throw XrdTool.Error("ls", path, r.Stderr);
        }
        var root = PfnParts.Parse(directoryPfn).Root;
        foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('d')) continue;
            var slash = line.IndexOf(" /", StringComparison.Ordinal);
            if (slash >= 0) yield return root + line[(slash + 1)..];
        }
    }
}
