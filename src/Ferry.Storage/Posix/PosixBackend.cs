using System.Runtime.InteropServices;
using Ferry.Core.Checksums;
using Ferry.Core.Errors;

namespace Ferry.Storage.Posix;

/// <summary>
/// The <c>file</c> protocol on a local directory. Every path is resolved and checked against the prefix,
/// so no DID name or PFN can make it read or write outside the RSE.
/// </summary>
public sealed class PosixBackend : IStorageBackend, IServerSideChecksum, IWritableStream, IFreeSpace, IDurableWrites
{
    private readonly string _root;

    public PosixBackend(string prefix)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(prefix));
    }

    public string Scheme => "file";
    public string Algorithm => "adler32";

    /// <summary>The local path of a PFN (file://host/abs/path or a bare absolute path), guaranteed inside the prefix.</summary>
    public string LocalPath(string pfn)
    {
        string path;
        if (pfn.StartsWith("file://", StringComparison.Ordinal))
        {
            var rest = pfn["file://".Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            path = slash < 0 ? "/" : rest[slash..];
        }
        else path = pfn;
        var full = Path.GetFullPath(path);
        if (!full.StartsWith(_root + "/", StringComparison.Ordinal))
            throw new FerryException("InvalidPath", 400, $"'{pfn}' is outside the RSE prefix {_root}");
        return full;
    }

    // The prefix itself is a valid directory to list or create.
    private string LocalDirectory(string directoryPfn) => Path.GetDirectoryName(LocalPath(directoryPfn.TrimEnd('/') + "/x"))!;

    public Task<StorageObject?> StatAsync(string pfn, CancellationToken ct)
    {
        var info = new FileInfo(LocalPath(pfn));
        return Task.FromResult(info.Exists ? new StorageObject(info.Length, info.LastWriteTimeUtc) : null);
    }

    public Task<Stream> OpenReadAsync(string pfn, long offset, CancellationToken ct)
    {
        var fs = new FileStream(LocalPath(pfn), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
        if (offset > 0) fs.Seek(offset, SeekOrigin.Begin);
        return Task.FromResult<Stream>(fs);
    }

    public Task<Stream> OpenWriteAsync(string pfn, CancellationToken ct)
    {
        var path = LocalPath(pfn);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return Task.FromResult<Stream>(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1));
    }

    public async Task<StorageChecksum?> WriteAsync(string pfn, Stream content, long? length, CancellationToken ct)
    {
        await using var output = await OpenWriteAsync(pfn, ct);
        await content.CopyToAsync(output, 1 << 20, ct);
        return null;
    }

    public async IAsyncEnumerable<string> ListAsync(string directoryPfn, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var dir = LocalDirectory(directoryPfn);
        if (!Directory.Exists(dir)) yield break;
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            ct.ThrowIfCancellationRequested();
            yield return "file://localhost" + file;
        }
        await Task.CompletedTask;
    }

    public Task MakeDirectoryAsync(string directoryPfn, CancellationToken ct)
    {
        Directory.CreateDirectory(LocalDirectory(directoryPfn));
        return Task.CompletedTask;
    }

    public Task MoveAsync(string fromPfn, string toPfn, CancellationToken ct)
    {
        var (from, to) = (LocalPath(fromPfn), LocalPath(toPfn));
        // A verified copy renames its temporary name beside the final one: that directory exists already.
        var dir = Path.GetDirectoryName(to)!;
        if (dir != Path.GetDirectoryName(from)) Directory.CreateDirectory(dir);
        File.Move(from, to, overwrite: true);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string pfn, CancellationToken ct)
    {
        var path = LocalPath(pfn);
        if (File.Exists(path)) File.Delete(path);
        PruneEmptyDirectories(Path.GetDirectoryName(path)!);
        return Task.CompletedTask;
    }

    public async Task<StorageChecksum?> ChecksumAsync(string pfn, CancellationToken ct)
    {
        var path = LocalPath(pfn);
        if (!File.Exists(path)) return null;
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        // Pooled, and no bigger than the file: verifying thousands of small files must not allocate a megabyte each.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Clamp(fs.Length, 1, 1 << 20));
        try
        {
            var adler = Adler32.Initial;
            long bytes = 0;
            int n;
            while ((n = await fs.ReadAsync(buffer, ct)) > 0) { adler = Adler32.Update(adler, buffer.AsSpan(0, n)); bytes += n; }
            return new StorageChecksum("adler32", Adler32.ToHex(adler), bytes);
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>
    /// On Linux one syncfs(2) of the file system that holds the files: one flush for a whole batch, with the new
    /// directories and renames in it, where an fsync per file and per new directory would each wait for the device.
    /// Elsewhere every file is fsynced (its directory entry is then up to the platform).
    /// </summary>
    public Task MakeDurableAsync(IReadOnlyCollection<string> pfns, CancellationToken ct) => pfns.Count == 0 ? Task.CompletedTask : Task.Run(() =>
    {
        if (OperatingSystem.IsLinux())
        {
            // Any file of the batch names the file system; one may have gone meanwhile (a failed file cleaned up).
            foreach (var pfn in pfns)
            {
                Microsoft.Win32.SafeHandles.SafeFileHandle handle;
                try { handle = File.OpenHandle(LocalPath(pfn), FileMode.Open, FileAccess.Read); }
                catch (FileNotFoundException) { continue; }
                catch (DirectoryNotFoundException) { continue; }
                using (handle)
                {
                    if (SyncFs((int)handle.DangerousGetHandle()) != 0)
                        throw new StorageException($"syncfs of the file system under {_root} failed (errno {Marshal.GetLastPInvokeError()})", permanent: false);
                }
                return;
            }
            return;
        }
        foreach (var pfn in pfns)
        {
            using var fs = new FileStream(LocalPath(pfn), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
            fs.Flush(flushToDisk: true);
        }
    }, ct);

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static extern int SyncFs(int fd);

    public Task<long?> FreeBytesAsync(CancellationToken ct) =>
        Task.FromResult<long?>(Directory.Exists(_root) ? new DriveInfo(_root).AvailableFreeSpace : null);

    // The hash layout makes two directory levels per scope; leaving them empty would grow the tree forever.
    private void PruneEmptyDirectories(string dir)
    {
        try
        {
            while (dir.StartsWith(_root + "/", StringComparison.Ordinal) && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
            {
                Directory.Delete(dir);
                dir = Path.GetDirectoryName(dir)!;
            }
        }
        catch (IOException) { /* another writer created something meanwhile: keep the directory */ }
    }
}
