using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Agent.Downloads;

/// <summary>
/// Where files land: DIR/SCOPE/DATASET/FILE (a file of a container's dataset goes under that dataset). The dataset's
/// scope keeps two datasets of the same name in different scopes apart. Paths are checked to stay inside DIR.
/// </summary>
public sealed class LocalLayout(string dir)
{
    public string Root { get; } = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));

    public string DatasetDir(DidRef dataset) => Path.Combine(dataset.Scope, dataset.Name);

    /// <summary>The file's path relative to DIR (what the API's filelist shows).</summary>
    public string RelativePath(DidRef dataset, DidRef file)
    {
        var relative = Path.Combine(DatasetDir(dataset), file.Name);
        Absolute(relative);
        return relative;
    }

    public string Absolute(string relative)
    {
        var full = Path.GetFullPath(Path.Combine(Root, relative));
        // Names are validated (no '.' or '..' segments), so this only guards against a future change to that rule.
        if (!full.StartsWith(Root + "/", StringComparison.Ordinal) || full.StartsWith(Path.Combine(Root, ".ferry-agent") + "/", StringComparison.Ordinal))
            throw new FerryException("InvalidPath", 400, $"'{relative}' would land outside {Root}");
        return full;
    }

    /// <summary>Removes the dataset's directory and the scope directory above it when they are empty.</summary>
    public void PruneEmpty(DidRef dataset)
    {
        foreach (var d in new[] { Absolute(DatasetDir(dataset)), Path.Combine(Root, dataset.Scope) })
        {
            try
            {
                if (Directory.Exists(d) && !Directory.EnumerateFileSystemEntries(d, "*", SearchOption.AllDirectories).Any(File.Exists)) Directory.Delete(d, true);
            }
            catch (IOException) { }
        }
    }

    public long FreeBytes() => new DriveInfo(Root).AvailableFreeSpace;
}
