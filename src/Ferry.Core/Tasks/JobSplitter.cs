using Ferry.Core.Errors;

namespace Ferry.Core.Tasks;

/// <summary>How a task's input files are grouped into jobs: a number of files per job, or a byte budget per job.</summary>
public sealed record SplitRule(int? FilesPerJob, long? BytesPerJob)
{
    public static SplitRule Of(int? filesPerJob, long? bytesPerJob)
    {
        if (filesPerJob is not null && bytesPerJob is not null) throw FerryException.Invalid("Give files per job or bytes per job, not both");
        if (filesPerJob is <= 0) throw FerryException.Invalid($"Files per job must be at least 1, got {filesPerJob}");
        if (bytesPerJob is <= 0) throw FerryException.Invalid($"Bytes per job must be positive, got {bytesPerJob}");
        return new SplitRule(filesPerJob ?? (bytesPerJob is null ? 1 : null), bytesPerJob);
    }
}

public sealed record SplitFile(string Scope, string Name, long Bytes);

public static class JobSplitter
{
    /// <summary>
    /// Files in name order, cut into consecutive groups. With a byte budget a job takes files while they fit, and
    /// always at least one (a file larger than the budget is a job of its own).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<SplitFile>> Split(IEnumerable<SplitFile> files, SplitRule rule)
    {
        var ordered = files.OrderBy(f => f.Scope, StringComparer.Ordinal).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
        var jobs = new List<IReadOnlyList<SplitFile>>();
        var current = new List<SplitFile>();
        long bytes = 0;
        foreach (var f in ordered)
        {
            var full = rule.BytesPerJob is { } budget ? current.Count > 0 && bytes + f.Bytes > budget : current.Count == rule.FilesPerJob;
            if (full)
            {
                jobs.Add(current);
                current = [];
                bytes = 0;
            }
            current.Add(f);
            bytes += f.Bytes;
        }
        if (current.Count > 0) jobs.Add(current);
        return jobs;
    }
}
