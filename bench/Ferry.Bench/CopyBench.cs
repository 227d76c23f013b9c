using System.Diagnostics;
using Ferry.Storage.Posix;
using Ferry.Storage.Verification;

namespace Ferry.Bench;

/// <summary>The per-file copy path alone (no server): VerifiedCopy into a posix RSE against File.Copy, same files.</summary>
internal static class CopyBench
{
    public static async Task<int> Run(string[] args)
    {
        var src = args[0];
        var work = args[1];
        var parallel = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1;
        var files = Directory.GetFiles(src).Order(StringComparer.Ordinal).ToArray();
        foreach (var (name, copy) in new (string, Func<string, string, Task>)[]
        {
            ("File.Copy", (f, d) => { Directory.CreateDirectory(Path.GetDirectoryName(d)!); File.Copy(f, d, true); return Task.CompletedTask; }),
            ("VerifiedCopy", async (f, d) =>
            {
                var backend = new PosixBackend(work);
                await using var s = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                await VerifiedCopy.WriteAsync(s, backend, "file://localhost" + d, null, false, null, CancellationToken.None);
            }),
        })
        {
            var dir = Path.Combine(work, name.Replace('.', '_'));
            var sw = Stopwatch.StartNew();
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (f, _) =>
                await copy(f, Path.Combine(dir, Path.GetFileName(f)[..4], Path.GetFileName(f))));
            Console.WriteLine($"{name,-14} {files.Length} files in {sw.Elapsed.TotalSeconds:F2} s (parallel {parallel})");
            Directory.Delete(dir, true);
        }
        return 0;
    }
}
