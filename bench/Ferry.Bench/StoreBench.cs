using System.Diagnostics;
using Ferry.Storage;
using Ferry.Storage.Verification;

namespace Ferry.Bench;

/// <summary>
/// Writes every file of a directory to one storage endpoint through VerifiedCopy (the path uploads and the conveyor
/// take), with N in parallel, and prints the wall time: the storage layer alone, without catalogue or CLI.
/// Usage: store SRC-DIR SCHEME HOST PORT PREFIX [parallel] [key=value credentials...]
/// </summary>
internal static class StoreBench
{
    public static async Task<int> Run(string[] args)
    {
        if (args.Length < 5) return 2;
        var files = Directory.GetFiles(args[0]).Order(StringComparer.Ordinal).ToArray();
        var parallel = args.Length > 5 ? int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : 4;
        var credentials = args.Skip(6).Select(a => a.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        var backend = StorageRegistry.Create(new ProtocolSpec(args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), args[4]), credentials);
        var run = Guid.NewGuid().ToString("N")[..8];
        var prefix = args[4].EndsWith('/') ? args[4] : args[4] + "/";
        string Pfn(string f) => args[3] == "0" ? $"{args[1]}://{args[2]}{prefix}{run}/{Path.GetFileName(f)}" : $"{args[1]}://{args[2]}:{args[3]}{prefix}{run}/{Path.GetFileName(f)}";
        var sw = Stopwatch.StartNew();
        long bytes = 0;
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (f, ct) =>
        {
            await using var source = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var sums = await VerifiedCopy.WriteAsync(source, backend, Pfn(f), null, false, null, ct);
            Interlocked.Add(ref bytes, sums.Bytes);
        });
        Console.WriteLine($"{files.Length} files, {bytes / 1048576.0:F1} MiB to {args[1]} in {sw.Elapsed.TotalSeconds:F2} s ({bytes / 1048576.0 / sw.Elapsed.TotalSeconds:F0} MiB/s)");
        return 0;
    }
}
