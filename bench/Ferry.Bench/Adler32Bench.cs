using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Ferry.Core.Checksums;

namespace Ferry.Bench;

/// <summary>
/// Ferry's Adler-32 against zlib's and against simply reading the same memory, in one process on
/// the same buffers, so the ratios are not skewed by different machines, runs or cache states.
/// </summary>
internal static class Adler32Bench
{
    private const int DefaultTotalMegabytes = 256;
    private const int DefaultBufferKilobytes = 1024;
    private const int DefaultRepetitions = 15;

    private delegate ulong Pass(byte[][] buffers);

    public static int Run(string[] args)
    {
        var totalMegabytes = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : DefaultTotalMegabytes;
        var repetitions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : DefaultRepetitions;
        var bufferSize = 1024 * (args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : DefaultBufferKilobytes);

        // Many distinct buffers, totalling far more than the caches, so each pass streams from memory
        // the way checksumming a file being transferred does.
        var random = new Random(20240601);
        var buffers = new byte[Math.Max(1, (int)(totalMegabytes * (1 << 20) / bufferSize))][];
        for (var i = 0; i < buffers.Length; i++)
        {
            buffers[i] = GC.AllocateUninitializedArray<byte>(bufferSize, pinned: true);
            random.NextBytes(buffers[i]);
        }

        Console.WriteLine($"adler32: {buffers.Length} x {bufferSize / 1024} KiB buffers ({totalMegabytes} MiB), {repetitions} repetitions, best and median of passes");
        Console.WriteLine($"Avx2.IsSupported={Avx2.IsSupported} Vector256.IsHardwareAccelerated={Vector256.IsHardwareAccelerated} " +
                          $"cores={Environment.ProcessorCount} runtime={RuntimeInformation.FrameworkDescription}");

        for (var i = 0; i < buffers.Length; i++)
        {
            var ferry = Adler32.Update(Adler32.Initial, buffers[i]);
            var zlib = ZlibOne(buffers[i]);
            if (ferry != zlib)
            {
                Console.Error.WriteLine($"MISMATCH on buffer {i}: Ferry {Adler32.ToHex(ferry)} zlib {Adler32.ToHex(zlib)}");
                return 1;
            }
        }
        Console.WriteLine($"Ferry and zlib agree on every one of the {buffers.Length} buffers");

        var passes = new (string Name, Pass Pass)[]
        {
            ("memory read (vector sum)", MemoryReadPass),
            ("Ferry Adler32.Update", FerryPass),
            ("zlib adler32", ZlibPass),
        };
        var seconds = passes.ToDictionary(p => p.Name, _ => new List<double>());

        // Warm-up brings every pass to fully optimised code before anything is timed.
        for (var warm = 0; warm < 3; warm++)
        {
            foreach (var (_, pass) in passes)
            {
                pass(buffers);
            }
        }

        // Interleaving the passes spreads any drift in machine load over all of them alike.
        ulong sink = 0;
        for (var rep = 0; rep < repetitions; rep++)
        {
            foreach (var (passName, pass) in passes)
            {
                var watch = Stopwatch.StartNew();
                sink ^= pass(buffers);
                seconds[passName].Add(watch.Elapsed.TotalSeconds);
            }
        }

        var bytes = (double)buffers.Length * bufferSize;
        var rates = seconds.ToDictionary(
            kv => kv.Key,
            kv => (Best: bytes / kv.Value.Min() / 1e9, Median: bytes / Median(kv.Value) / 1e9));

        Console.WriteLine();
        Console.WriteLine($"{"pass",-26} {"best GB/s",10} {"median GB/s",12}");
        foreach (var (passName, _) in passes)
        {
            Console.WriteLine($"{passName,-26} {rates[passName].Best,10:F2} {rates[passName].Median,12:F2}");
        }

        var f = rates["Ferry Adler32.Update"];
        var z = rates["zlib adler32"];
        var m = rates["memory read (vector sum)"];
        Console.WriteLine();
        Console.WriteLine($"Ferry / zlib:        best {f.Best / z.Best:F2}x   median {f.Median / z.Median:F2}x   (target >= 5x)");
        Console.WriteLine($"Ferry / memory read: best {f.Best / m.Best:P0}   median {f.Median / m.Median:P0}   (target >= 80%)");
        Console.WriteLine($"(sink {sink:x16})");
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    // Each buffer is checksummed on its own, then the results are folded so that every one is used.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong FerryPass(byte[][] buffers)
    {
        ulong combined = 0;
        foreach (var buffer in buffers)
        {
            combined = (combined * 31) + Adler32.Update(Adler32.Initial, buffer);
        }
        return combined;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong ZlibPass(byte[][] buffers)
    {
        ulong combined = 0;
        foreach (var buffer in buffers)
        {
            combined = (combined * 31) + ZlibOne(buffer);
        }
        return combined;
    }

    private static unsafe uint ZlibOne(byte[] buffer)
    {
        fixed (byte* p = buffer)
        {
            return (uint)Zlib.Adler32(Adler32.Initial, p, (uint)buffer.Length);
        }
    }

    // The floor any checksum is measured against: load every byte once and do the cheapest
    // possible work with it, kept live so the JIT cannot drop the loads.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong MemoryReadPass(byte[][] buffers)
    {
        var acc0 = Vector256<ulong>.Zero;
        var acc1 = Vector256<ulong>.Zero;
        foreach (var buffer in buffers)
        {
            ref var start = ref MemoryMarshal.GetArrayDataReference(buffer);
            var end = (nuint)buffer.Length - 64;
            for (nuint i = 0; i <= end; i += 64)
            {
                acc0 += Vector256.LoadUnsafe(ref start, i).AsUInt64();
                acc1 += Vector256.LoadUnsafe(ref start, i + 32).AsUInt64();
            }
        }
        return Vector256.Sum(acc0 ^ acc1);
    }
}
