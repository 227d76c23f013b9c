using System.Buffers;

namespace Ferry.Storage.Verification;

/// <summary>
/// Copies an object from storage to a local file so that an interrupted copy resumes: the bytes already in
/// <c>FILE.ferry.part</c> are kept (and checksummed again locally), only the rest is fetched with a ranged read,
/// and the file gets its final name only when the whole of it matches the catalogue. A head that turns out to be
/// wrong costs one full fetch, never a wrong file.
/// </summary>
public static class ResumableLocalCopy
{
    public sealed record Outcome(Checksums Checksums, long ResumedFrom);

    public static async Task<Outcome> DownloadAsync(IStorageBackend source, string pfn, string localPath, ExpectedChecksums expected,
        IProgress<long>? progress, CancellationToken ct)
    {
        var part = localPath + VerifiedCopy.TempSuffix;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localPath))!);
        var have = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (expected.Bytes is { } total && have > total) have = 0;
        try
        {
            return new Outcome(await CopyFromAsync(source, pfn, part, localPath, expected, have, progress, ct), have);
        }
        catch (Core.Errors.FerryException) when (have > 0)
        {
            // The kept head did not match after all (it was written by something else, or the source changed): start over.
            return new Outcome(await CopyFromAsync(source, pfn, part, localPath, expected, 0, progress, ct), 0);
        }
    }

    private static async Task<Checksums> CopyFromAsync(IStorageBackend source, string pfn, string part, string localPath,
        ExpectedChecksums expected, long offset, IProgress<long>? progress, CancellationToken ct)
    {
        using var acc = new ChecksumAccumulator(expected.Adler32 is null && expected.Md5 is not null);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            await using (var output = new FileStream(part, offset > 0 ? FileMode.Open : FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1))
            {
                output.SetLength(offset);
                int n;
                while (output.Position < offset && (n = await output.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, offset - output.Position)), ct)) > 0)
                    acc.Append(buffer.AsSpan(0, n));
                await using var input = await source.OpenReadAsync(pfn, offset, ct);
                while ((n = await input.ReadAsync(buffer, ct)) > 0)
                {
                    acc.Append(buffer.AsSpan(0, n));
                    await output.WriteAsync(buffer.AsMemory(0, n), ct);
                    progress?.Report(n);
                }
            }
            var result = acc.Result();
            try { VerifiedCopy.Verify(localPath, result, expected); }
            catch { File.Delete(part); throw; }
            File.Move(part, localPath, overwrite: true);
            return result;
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }
}
