using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ferry.Transfer.Upload;

/// <summary>One line of the journal. <c>event</c>: <c>run</c> (a run started), <c>copying</c> (bytes are about to be written
/// to <c>pfn</c>), <c>copied</c> (they are there, verified, not yet registered), <c>done</c> (the file's outcome).</summary>
public sealed record JournalRecord
{
    [JsonPropertyName("event")] public required string Event { get; init; }
    /// <summary>When the record was written: stamped by <see cref="UploadJournal.Append(JournalRecord)"/> from its clock.</summary>
    [JsonPropertyName("at")] public DateTimeOffset At { get; init; }
    [JsonPropertyName("path")] public string? Path { get; init; }
    [JsonPropertyName("scope")] public string? Scope { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("bytes")] public long? Bytes { get; init; }
    [JsonPropertyName("mtime_ms")] public long? MTimeMs { get; init; }
    [JsonPropertyName("adler32")] public string? Adler32 { get; init; }
    [JsonPropertyName("md5")] public string? Md5 { get; init; }
    [JsonPropertyName("rse")] public string? Rse { get; init; }
    [JsonPropertyName("pfn")] public string? Pfn { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("attempts")] public int? Attempts { get; init; }

    /// <summary>Same file, same DID, and the local file unchanged since the record was written.</summary>
    public bool Describes(CatalogueEntry e) =>
        Path == e.LocalPath && Scope == e.Did.Scope && Name == e.Did.Name && Bytes == e.Bytes && MTimeMs == e.MTimeMs;
}

/// <summary>
/// The upload's append-only journal: JSON lines, each written whole and flushed as it happens, so that a run killed at
/// any moment leaves every finished outcome behind it. Reading tolerates a torn last line. The next run of the same
/// command reads it to skip files already registered without reading them again, to adopt bytes that landed but were
/// not registered, and to clean up bytes of files it will not upload again.
/// </summary>
public sealed class UploadJournal : IDisposable
{
    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly FileStream _stream;
    private readonly object _gate = new();
    private readonly TimeProvider _clock;

    private UploadJournal(FileStream stream, TimeProvider clock) => (_stream, _clock) = (stream, clock);

    public static UploadJournal Open(string path, TimeProvider clock)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1);
        // A line torn by a kill is closed so that the next record starts on its own line.
        if (stream.Length > 0)
        {
            stream.Seek(-1, SeekOrigin.End);
            var last = stream.ReadByte();
            stream.Seek(0, SeekOrigin.End);
            if (last != '\n') stream.WriteByte((byte)'\n');
        }
        return new UploadJournal(stream, clock);
    }

    /// <summary>The last record per local path, from every earlier run.</summary>
    public static Dictionary<string, JournalRecord> Load(string path)
    {
        var last = new Dictionary<string, JournalRecord>(StringComparer.Ordinal);
        if (!File.Exists(path)) return last;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            JournalRecord? r;
            try { r = JsonSerializer.Deserialize<JournalRecord>(line, Options); }
            catch (JsonException) { continue; }
            if (r?.Path is { } p) last[p] = r;
        }
        return last;
    }

    public void Append(JournalRecord record) => Append([record]);

    /// <summary>Several records in one write (a registered batch's outcomes): each line still whole, in order.</summary>
    public void Append(IEnumerable<JournalRecord> records)
    {
        var text = new StringBuilder();
        var now = _clock.GetUtcNow();
        foreach (var r in records) text.Append(JsonSerializer.Serialize(r with { At = now }, Options)).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        lock (_gate)
        {
            _stream.Write(bytes);
            _stream.Flush();
        }
    }

    public void Dispose() => _stream.Dispose();
}
