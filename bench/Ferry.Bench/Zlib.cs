using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ferry.Bench;

/// <summary>The system zlib, as the baseline every Adler-32 is usually compared with.</summary>
internal static unsafe partial class Zlib
{
    // uLong is 64 bits and uInt 32 bits on Linux x64.
    [LibraryImport("libz.so.1", EntryPoint = "adler32")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial ulong Adler32(ulong adler, byte* buffer, uint length);
}
