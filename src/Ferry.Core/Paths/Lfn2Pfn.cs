using System.Security.Cryptography;
using System.Text;

namespace Ferry.Core.Paths;

/// <summary>Rucio's deterministic path algorithms; the path is relative to an RSE protocol prefix.</summary>
public static class Lfn2Pfn
{
    /// <summary>scope/xx/yy/name, xx and yy the first two bytes of md5("scope:name") in hex.</summary>
    /// <remarks>Built with one allocation: replica listings compute it for every file they list.</remarks>
    public static string Hash(string scope, string name)
    {
        var length = Encoding.UTF8.GetByteCount(scope) + 1 + Encoding.UTF8.GetByteCount(name);
        var rented = length > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> did = rented ?? stackalloc byte[512];
        var n = Encoding.UTF8.GetBytes(scope, did);
        did[n++] = (byte)':';
        n += Encoding.UTF8.GetBytes(name, did[n..]);
        Span<byte> digest = stackalloc byte[16];
        MD5.HashData(did[..n], digest);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        var directory = ScopeDirectory(scope);
        return string.Create(directory.Length + 7 + name.Length, (directory, name, h0: digest[0], h1: digest[1]), static (span, x) =>
        {
            x.directory.CopyTo(span);
            var at = x.directory.Length;
            span[at] = '/';
            x.h0.TryFormat(span[(at + 1)..], out _, "x2");
            span[at + 3] = '/';
            x.h1.TryFormat(span[(at + 4)..], out _, "x2");
            span[at + 6] = '/';
            x.name.CopyTo(span[(at + 7)..]);
        });
    }

    public static string Identity(string scope, string name) => ScopeDirectory(scope) + "/" + name;

    public static string Path(string algorithm, string scope, string name) =>
        algorithm == "identity" ? Identity(scope, name) : Hash(scope, name);

    private static string ScopeDirectory(string scope) =>
        scope.StartsWith("user", StringComparison.Ordinal) || scope.StartsWith("group", StringComparison.Ordinal)
            ? scope.Replace('.', '/') : scope;

    public static string NormalisePrefix(string prefix)
    {
        var p = prefix.StartsWith('/') ? prefix : "/" + prefix;
        return p.EndsWith('/') ? p : p + "/";
    }

    /// <summary>scheme://host:port/prefix/path, or without port when it is 0 (posix and gfal style).</summary>
    public static string Pfn(string scheme, string hostname, int port, string prefix, string path) => Base(scheme, hostname, port, prefix) + path;

    /// <summary>What every PFN of a protocol starts with: <see cref="Pfn"/> of an empty path, for callers that build many.</summary>
    public static string Base(string scheme, string hostname, int port, string prefix) =>
        port == 0 || scheme == "file"
            ? $"{scheme}://{hostname}{NormalisePrefix(prefix)}"
            : $"{scheme}://{hostname}:{port}{NormalisePrefix(prefix)}";
}
