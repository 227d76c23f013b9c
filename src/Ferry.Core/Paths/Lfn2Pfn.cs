using System.Security.Cryptography;
using System.Text;

namespace Ferry.Core.Paths;

/// <summary>Rucio's deterministic path algorithms; the path is relative to an RSE protocol prefix.</summary>
public static class Lfn2Pfn
{
    public static string Hash(string scope, string name)
    {
        Span<byte> digest = stackalloc byte[16];
        MD5.HashData(Encoding.UTF8.GetBytes(scope + ":" + name), digest);
        var h = Convert.ToHexStringLower(digest);
        return ScopeDirectory(scope) + "/" + h[..2] + "/" + h[2..4] + "/" + name;
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
    public static string Pfn(string scheme, string hostname, int port, string prefix, string path) =>
        port == 0 || scheme == "file"
            ? $"{scheme}://{hostname}{NormalisePrefix(prefix)}{path}"
            : $"{scheme}://{hostname}:{port}{NormalisePrefix(prefix)}{path}";
}
