namespace Ferry.Storage;

/// <summary>A PFN split without URI normalisation (which would re-encode or fold names): scheme, host, port, absolute path.</summary>
public readonly record struct PfnParts(string Scheme, string Host, int Port, string Path)
{
    public static PfnParts Parse(string pfn)
    {
        var sep = pfn.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) throw new StorageException($"'{pfn}' is not a PFN (scheme://host/path)", permanent: true);
        var scheme = pfn[..sep];
        var rest = pfn[(sep + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "/" : rest[slash..];
        while (path.StartsWith("//", StringComparison.Ordinal)) path = path[1..];
        var colon = authority.LastIndexOf(':');
        var port = 0;
        if (colon > 0 && int.TryParse(authority[(colon + 1)..], out var p)) { port = p; authority = authority[..colon]; }
        if (path.Split('/').Any(segment => segment is ".." or "."))
            throw new StorageException($"'{pfn}' contains a relative path segment", permanent: true);
        return new PfnParts(scheme, authority, port, path);
    }

    /// <summary>scheme://host[:port], the part of a PFN before its path.</summary>
    public string Root => Port == 0 ? $"{Scheme}://{Host}" : $"{Scheme}://{Host}:{Port}";
}
