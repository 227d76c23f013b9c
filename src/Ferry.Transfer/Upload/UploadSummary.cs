using System.Text.Json;
using Ferry.Core.Configuration;

namespace Ferry.Transfer.Upload;

/// <summary>What the run was asked to do, for the summary's header.</summary>
public sealed record SummaryContext(string Scope, string Rse, string? TempRse, string? Dataset, string? Container, string? Journal, bool DryRun);

/// <summary>
/// The summary: one JSON document, written to a temporary name beside the target and renamed over it, so that a
/// reader (or a kill during the write) never sees half a document. Per file: scope, name, local path, bytes,
/// adler32, md5, RSE, PFN, status, error (with its kind) and attempts; then totals, and start and end times.
/// </summary>
public static class UploadSummary
{
    public static string StatusName(UploadStatus s) => s switch
    {
        UploadStatus.Uploaded => "UPLOADED",
        UploadStatus.AlreadyPresent => "ALREADY_PRESENT",
        UploadStatus.Failed => "FAILED",
        UploadStatus.Planned => "PLANNED",
        _ => "PENDING",
    };

    public static void Write(string path, UploadReport report, SummaryContext context)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Environment.ProcessId}.tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            WriteTo(stream, report, context);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, full, overwrite: true);
    }

    public static void WriteTo(Stream stream, UploadReport report, SummaryContext context)
    {
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteString("started_at", report.StartedAt);
            w.WriteString("finished_at", report.FinishedAt);
            w.WriteBoolean("interrupted", report.Interrupted);
            w.WriteBoolean("dry_run", context.DryRun);
            w.WriteString("scope", context.Scope);
            w.WriteString("rse", context.Rse);
            Opt(w, "temp_rse", context.TempRse);
            Opt(w, "dataset", context.Dataset);
            Opt(w, "container", context.Container);
            Opt(w, "journal", context.Journal);
            WriteTotals(w, report);
            w.WriteStartArray("errors");
            foreach (var e in report.Errors) w.WriteStringValue(e);
            w.WriteEndArray();
            w.WriteStartArray("warnings");
            foreach (var e in report.Warnings) w.WriteStringValue(e);
            w.WriteEndArray();
            w.WriteStartArray("files");
            foreach (var f in report.Files)
            {
                w.WriteStartObject();
                w.WriteString("scope", f.Entry.Did.Scope);
                w.WriteString("name", f.Entry.Did.Name);
                w.WriteString("path", f.Entry.LocalPath);
                w.WriteNumber("bytes", f.Entry.Bytes);
                Opt(w, "adler32", f.Adler32);
                Opt(w, "md5", f.Md5);
                Opt(w, "rse", f.Rse);
                Opt(w, "pfn", f.Pfn);
                w.WriteString("status", StatusName(f.Status));
                Opt(w, "error", f.Error);
                Opt(w, "error_kind", f.Kind == ErrorKind.None ? null : UploadErrors.Code(f.Kind));
                w.WriteNumber("attempts", f.Attempts);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    private static void WriteTotals(Utf8JsonWriter w, UploadReport report)
    {
        w.WriteStartObject("totals");
        w.WriteNumber("files", report.Files.Count);
        w.WriteNumber("bytes", report.Files.Sum(f => f.Entry.Bytes));
        foreach (var s in Enum.GetValues<UploadStatus>())
            w.WriteNumber(StatusName(s).ToLowerInvariant(), report.Files.Count(f => f.Status == s));
        w.WriteNumber("bytes_uploaded", report.Files.Where(f => f.Status == UploadStatus.Uploaded).Sum(f => f.Entry.Bytes));
        w.WriteStartObject("failed_by_kind");
        foreach (var g in report.Files.Where(f => f.Status == UploadStatus.Failed).GroupBy(f => f.Kind).OrderBy(g => g.Key))
            w.WriteNumber(UploadErrors.Code(g.Key), g.Count());
        w.WriteEndObject();
        w.WriteNumber("seconds", (report.FinishedAt - report.StartedAt).TotalSeconds);
        w.WriteEndObject();
    }

    private static void Opt(Utf8JsonWriter w, string key, string? value)
    {
        if (value is null) w.WriteNull(key);
        else w.WriteString(key, value);
    }

    /// <summary>
    /// Where the journal goes when --journal is not given: beside the summary (SUMMARY.journal), or else in
    /// $XDG_CACHE_HOME/ferry (default ~/.cache/ferry) under a name derived from everything that identifies the run
    /// (server, account, RSEs, scope, dataset, container, naming and the absolute PATHs), so that rerunning the same
    /// command finds it.
    /// </summary>
    /// <summary>16 hex digits that name one upload (server, account, RSEs, scope, options, paths): the same command gives the same key.</summary>
    public static string Key(IEnumerable<string?> identity) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", identity.Select(i => i ?? "-")))))[..16];

    public static string DefaultJournal(string? summaryPath, IEnumerable<string?> identity)
    {
        if (summaryPath is not null) return Path.GetFullPath(summaryPath) + ".journal";
        var key = Key(identity);
        var env = FerryEnvironment.Process;
        var cache = env.Get("XDG_CACHE_HOME") ?? Path.Combine(env.TryGetValue("HOME", out var home) && home is not null ? home
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "ferry", $"upload-{key}.journal");
    }
}
