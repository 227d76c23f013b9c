using Ferry.Transfer;
using Ferry.Core.Errors;
using Ferry.Core.Identifiers;

namespace Ferry.Agent.Downloads;

/// <summary>
/// Where files land: DIR/SCOPE/DATASET/FILE (a file of a container's dataset goes under that dataset). The dataset's
/// scope keeps two datasets of the same name in different scopes apart. Below the scope, names are placed as Rucio's
/// download client places them (<see cref="DownloadPaths"/>): /store/a/ds lands in SCOPE/store/a/ds/, and its file
/// /store/a/x/f.root as f.root there. Paths are checked to stay inside DIR and out of the agent's state directory.
/// </summary>
public sealed class LocalLayout(string dir)
{
    public string Root { get; } = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));

    public string DatasetDir(DidRef dataset) => Path.Combine(dataset.Scope, DownloadPaths.Below(dataset.Name));

    /// <summary>The file's path relative to DIR (what the API's filelist shows).</summary>
    public string RelativePath(DidRef dataset, DidRef file)
    {
        var relative = Path.Combine(dataset.Scope, DownloadPaths.OfMember(dataset, file));
        Absolute(relative);
        return relative;
    }

    public string Absolute(string relative)
    {
        var full = DownloadPaths.Under(Root, relative);
        if (full.StartsWith(Path.Combine(Root, ".ferry-agent") + "/", StringComparison.Ordinal))
            throw new FerryException("InvalidPath", 400, $"'{relative}' would land in the agent's own state directory");
        return full;
    }

    /// <summary>Removes the dataset's directory and each one above it, up to the scope's, that holds no file any more.</summary>
    public void PruneEmpty(DidRef dataset)
    {
        for (var d = Absolute(DatasetDir(dataset)); d.StartsWith(Root + "/", StringComparison.Ordinal); d = Path.GetDirectoryName(d)!)
        {
            try
            {
                if (!Directory.Exists(d)) continue;
                if (Directory.EnumerateFileSystemEntries(d, "*", SearchOption.AllDirectories).Any(File.Exists)) return;
                Directory.Delete(d, true);
            }
            catch (IOException) { return; }
        }
    }

    public long FreeBytes() => new DriveInfo(Root).AvailableFreeSpace;
}
