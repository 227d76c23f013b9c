using Ferry.Core.Identifiers;

namespace Ferry.Transfer.Upload;

/// <summary>One local file to upload: where it is, what it was when catalogued, and the DID it becomes.</summary>
public sealed record CatalogueEntry(string LocalPath, string RelativePath, long Bytes, long MTimeMs, DidRef Did)
{
    /// <summary>True when the DID name differs from the path it came from (--sanitize-names).</summary>
    public bool Renamed { get; init; }
}

public sealed record UploadOptions
{
    public required string Rse { get; init; }
    /// <summary>Upload here, then add a rule to <see cref="Rse"/>; the temporary copy's rule has <see cref="TempLifetime"/>.</summary>
    public string? TempRse { get; init; }
    public long TempLifetime { get; init; } = 3600;
    public DidRef? Dataset { get; init; }
    public DidRef? Container { get; init; }
    /// <summary>Lifetime of the rule on <see cref="Rse"/> in seconds; null: none.</summary>
    public long? Lifetime { get; init; }
    public int Parallel { get; init; } = 4;
    /// <summary>Files per registration, attachment and rule request (the server takes at most 1,000).</summary>
    public int BatchSize { get; init; } = 500;
    public bool Md5 { get; init; }
    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();
    public bool DryRun { get; init; }
    /// <summary>Append-only JSON-lines journal (a dry run only reads it).</summary>
    public string? JournalPath { get; init; }

    public string WriteRse => TempRse ?? Rse;
}

public enum UploadStatus { Uploaded, AlreadyPresent, Failed, Pending, Planned }

/// <summary>Why a file failed, for the closing count; the wire names are in <see cref="UploadErrors.Wire"/>.</summary>
public enum ErrorKind { None, QuotaExceeded, PermissionDenied, RseNotWritable, FileVanished, FileChanged, ChecksumConflict, Transient, Other }

/// <summary>What happened to one file; filled in as the upload goes.</summary>
public sealed class FileOutcome(CatalogueEntry entry)
{
    public CatalogueEntry Entry { get; } = entry;
    public UploadStatus Status { get; set; } = UploadStatus.Pending;
    public string? Adler32 { get; set; }
    public string? Md5 { get; set; }
    public string? Rse { get; set; }
    public string? Pfn { get; set; }
    public string? Error { get; set; }
    public ErrorKind Kind { get; set; }
    public int Attempts { get; set; }

    public void Fail(ErrorKind kind, string error)
    {
        Status = UploadStatus.Failed;
        Kind = kind;
        Error = error;
    }
}

/// <summary>The run: every file's outcome, and run-level warnings and errors (an error, such as a dataset rule refused, fails the run).</summary>
public sealed record UploadReport(IReadOnlyList<FileOutcome> Files, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, bool Interrupted,
    IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors)
{
    public bool Succeeded => !Interrupted && Errors.Count == 0 && Files.All(f => f.Status is UploadStatus.Uploaded or UploadStatus.AlreadyPresent or UploadStatus.Planned);
}
