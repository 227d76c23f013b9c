using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Transfer;

/// <summary>
/// Where a download puts a DID's files, relative to the download directory, the way Rucio's download client places
/// them: a collection's files in NAME/ and a file given by itself in SCOPE/NAME, a leading '/' of the name dropped;
/// inside a collection a name rooted at '/' (CMS: /store/...) keeps only its last segment, any other name is kept
/// whole. Names are validated again here because they come from a server, and a '.' or '..' segment could climb out.
/// </summary>
public static class DownloadPaths
{
    /// <summary>The directory a collection's files land in, or the path of a file below its scope.</summary>
    public static string Below(string name) => Names.DidName(name).TrimStart('/');

    /// <summary>A file's place inside its collection's directory.</summary>
    public static string InCollection(string fileName)
    {
        Names.DidName(fileName);
        return fileName.StartsWith('/') ? fileName[(fileName.LastIndexOf('/') + 1)..] : fileName;
    }

    /// <summary>SCOPE/NAME for a file asked for by itself.</summary>
    public static string OfFile(DidRef file) => Path.Combine(file.Scope, Below(file.Name));

    /// <summary>COLLECTION/FILE for a file reached through a dataset or container.</summary>
    public static string OfMember(DidRef collection, DidRef file) => Path.Combine(Below(collection.Name), InCollection(file.Name));

    /// <summary>The absolute path of <paramref name="relative"/> below <paramref name="root"/>, refused if it would land anywhere else.</summary>
    public static string Under(string root, string relative)
    {
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (Path.IsPathRooted(relative) || !full.StartsWith(root + "/", StringComparison.Ordinal))
            throw new FerryException("InvalidPath", 400, $"'{relative}' would land outside {root}");
        return full;
    }

    /// <summary>Rucio refuses two files that would land on the same path; so does Ferry, naming both.</summary>
    public static string Collision(string path, IEnumerable<DidRef> files) =>
        $"{string.Join(" and ", files.Select(f => f.ToString()).Order(StringComparer.Ordinal))} would both land at {path}";
}
