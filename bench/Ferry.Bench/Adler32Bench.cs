using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Ferry.Core.Checksums;

namespace Ferry.Bench;

/// <summary>
/// Ferry's adler32 against zlib's (libz.so.1) and against a plain read of the same memory, on the same buffers,
/// in one process. Each contender runs several rounds over all buffers; best and median rates are reported.
/// </summary>
internal static partial class Adler32Bench
{
    [LibraryImport("libz.so.1", EntryPoint = "adler32")]
    private static unsafe partial nuint ZlibAdler32(nuint adler, byte* buf, uint len);

    public static int Run(string[] args)
    {
        var mib = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 256;
        const int bufferSize = 1 << 20;
        var buffers = Enumerable.Range(0, mib).Select(i => { var b = new byte[bufferSize]; new Random(i).NextBytes(b); return b; }).ToArray();
        var bytes = (long)mib * bufferSize;

        uint ferry = 0, zlib = 0;
        ulong sink = 0;
        var contenders = new (string Name, Action Run)[]
        {
            ("memory read (vector sum)", () => { foreach (var b in buffers) sink += SumBytes(b); }),
            ("zlib adler32 (libz.so.1)", () => { foreach (var b in buffers) zlib = Zlib(b); }),
            ("ferry Adler32", () => { foreach (var b in buffers) ferry = Adler32.Compute(b); }),
        };
        var results = new Dictionary<string, (double Best, double Median)>();
        foreach (var (name, run) in contenders)
        {
            run(); // warm-up: JIT, page faults
            var rates = new List<double>();
            for (var round = 0; round < 7; round++)
            {
                var sw = Stopwatch.StartNew();
                run();
                rates.Add(bytes / sw.Elapsed.TotalSeconds / 1e9);
            }
            rates.Sort();
            results[name] = (rates[^1], rates[rates.Count / 2]);
        }
        if (ferry != zlib) throw new InvalidOperationException($"adler32 mismatch: ferry {ferry:x8}, zlib {zlib:x8}");

        Console.WriteLine($"adler32 over {mib} x 1 MiB buffers, 7 rounds each after a warm-up (AVX2: {System.Runtime.Intrinsics.X86.Avx2.IsSupported}); sink {sink % 10}");
        Console.WriteLine($"{"contender",-28} {"best GB/s",10} {"median GB/s",12}");
        foreach (var (name, r) in results) Console.WriteLine($"{name,-28} {r.Best,10:F2} {r.Median,12:F2}");
        var f = results["ferry Adler32"].Median;
        Console.WriteLine($"ferry / zlib (median): {f / results["zlib adler32 (libz.so.1)"].Median:F1}x");
        Console.WriteLine($"ferry / memory read (median): {100 * f / results["memory read (vector sum)"].Median:F0}%");
        return 0;
    }

    private static unsafe uint Zlib(byte[] b)
    {
        fixed (byte* p = b) return (uint)ZlibAdler32(1, p, (uint)b.Length);
    }

    /// <summary>Reads every byte once with the widest vectors, so the rate is what memory can deliver to one core.</summary>
    private static ulong SumBytes(byte[] b)
    {
        var acc = Vector256<ulong>.Zero;
        ref var p = ref MemoryMarshal.GetArrayDataReference(b);
        nuint i = 0, n = (nuint)b.Length;
        for (; i + 32 <= n; i += 32)
            acc += System.Runtime.Intrinsics.X86.Avx2.SumAbsoluteDifferences(Vector256.LoadUnsafe(ref p, i), Vector256<byte>.Zero).AsUInt64();
        return Vector256.Sum(acc);
    }
}
