using Ferry.Client.Http;
using Ferry.Core.Errors;
using Polly;
using Polly.Retry;

namespace Ferry.Transfer.Upload;

/// <summary>A permanent failure of one file, with its kind; never retried.</summary>
public sealed class UploadFailure(ErrorKind kind, string message) : Exception(message)
{
    public ErrorKind Kind { get; } = kind;
}

/// <summary>
/// Which errors are worth retrying, and the retry itself: capped exponential backoff with jitter (Polly).
/// Transient: connection failures and timeouts, HTTP 5xx, storage I/O errors other than the ones below.
/// Permanent: quota, permission, an RSE that refuses writes (blocked, read-only, full, permission denied on storage),
/// a local file that vanished or changed while being read, a checksum that disagrees with the catalogue.
/// </summary>
public static class UploadErrors
{
    private const int ENOSPC = 28, EROFS = 30, EDQUOT = 122;

    public static string Wire(ErrorKind kind) => kind switch
    {
        ErrorKind.QuotaExceeded => "quota exceeded",
        ErrorKind.PermissionDenied => "permission denied",
        ErrorKind.RseNotWritable => "RSE not writable",
        ErrorKind.FileVanished => "file vanished",
        ErrorKind.FileChanged => "file changed while read",
        ErrorKind.ChecksumConflict => "checksum differs from the catalogue",
        ErrorKind.Transient => "transient error, retries exhausted",
        ErrorKind.None => "none",
        _ => "other",
    };

    public static string Code(ErrorKind kind) => kind switch
    {
        ErrorKind.QuotaExceeded => "QUOTA_EXCEEDED",
        ErrorKind.PermissionDenied => "PERMISSION_DENIED",
        ErrorKind.RseNotWritable => "RSE_NOT_WRITABLE",
        ErrorKind.FileVanished => "FILE_VANISHED",
        ErrorKind.FileChanged => "FILE_CHANGED",
        ErrorKind.ChecksumConflict => "CHECKSUM_CONFLICT",
        ErrorKind.Transient => "TRANSIENT",
        ErrorKind.None => "NONE",
        _ => "OTHER",
    };

    public static bool IsTransient(Exception e) => e switch
    {
        UploadFailure or OperationCanceledException => false,
        HttpRequestException or TimeoutException => true,
        FileNotFoundException or DirectoryNotFoundException => false,
        IOException io => io.HResult is not (ENOSPC or EROFS or EDQUOT),
        FerryException f => f.Status >= 500 && f.ExceptionClass is not ("RSEWriteBlocked" or "RSEProtocolNotSupported"),
        _ => false,
    };

    /// <summary>The kind of a permanent error raised by the server or the storage.</summary>
    public static ErrorKind Classify(Exception e) => e switch
    {
        UploadFailure u => u.Kind,
        FerryException { ExceptionClass: "InsufficientAccountLimit" or "QuotaExceeded" } => ErrorKind.QuotaExceeded,
        FerryException { ExceptionClass: "AccessDenied" or "ScopeNotFound" } => ErrorKind.PermissionDenied,
        FerryException { ExceptionClass: "RSEWriteBlocked" or "RSEProtocolNotSupported" or "ResourceTemporaryUnavailable" or "RSENotFound" } => ErrorKind.RseNotWritable,
        FerryException { ExceptionClass: "FileConsistencyMismatch" } => ErrorKind.ChecksumConflict,
        UnauthorizedAccessException => ErrorKind.RseNotWritable,
        IOException { HResult: ENOSPC or EROFS or EDQUOT } => ErrorKind.RseNotWritable,
        _ when IsTransient(e) => ErrorKind.Transient,
        _ => ErrorKind.Other,
    };

    public static string Describe(Exception e) => e switch
    {
        FerryApiException a => $"{a.ExceptionClass}: {a.Message}",
        UploadFailure u => u.Message,
        FerryException f => $"{f.ExceptionClass}: {f.Message}",
        _ => e.Message,
    };

    /// <summary>Attempts per file copy or batch request: 1 + retries, backoff 0.5 s doubling up to 15 s, with jitter.</summary>
    public static ResiliencePipeline Pipeline(int retries = 5, TimeSpan? firstDelay = null) =>
        new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = retries, Delay = firstDelay ?? TimeSpan.FromMilliseconds(500), BackoffType = DelayBackoffType.Exponential, UseJitter = true,
            MaxDelay = TimeSpan.FromSeconds(15), ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
        }).Build();
}
