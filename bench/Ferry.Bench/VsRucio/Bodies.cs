using System.Buffers;
using System.Text.Json;

namespace Ferry.Bench.VsRucio;

/// <summary>
/// The request bodies, written before any step is timed: both servers get the same bytes, and building them is no
/// part of either server's time.
/// </summary>
internal static class Bodies
{
    public const string Dataset = "dataset";

    /// <summary>File i's name: fixed width, so every server sorts and hashes the same names.</summary>
    public static string FileName(int i) => $"file_{i:D7}";

    /// <summary>
    /// File i's bytes: deterministic, so the size and adler32 declared are those of the file the posix mode writes
    /// (Ferry reads every byte of a posix replica registered AVAILABLE; Rucio never looks at storage).
    /// </summary>
    public static byte[] Content(int i)
    {
        var data = new byte[1_000 + i % 1_000];
        for (var k = 0; k < data.Length; k++) data[k] = (byte)(i * 31 + k * 7);
        return data;
    }

    private static string Adler32(byte[] content) =>
        Ferry.Core.Checksums.Adler32.Compute(content).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    public static IEnumerable<(int Start, int Count)> Batches(int files, int size)
    {
        for (var start = 0; start < files; start += size) yield return (start, Math.Min(size, files - start));
    }

    /// <summary>POST /replicas: {"rse": R, "files": [{scope, name, bytes, adler32}...]}.</summary>
    public static byte[] Replicas(string scope, string rse, int start, int count) => Write(w =>
    {
        w.WriteString("rse", rse);
        w.WriteStartArray("files");
        for (var i = start; i < start + count; i++)
        {
            w.WriteStartObject();
            w.WriteString("scope", scope);
            w.WriteString("name", FileName(i));
            var content = Content(i);
            w.WriteNumber("bytes", content.Length);
            w.WriteString("adler32", Adler32(content));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    /// <summary>POST /dids/{scope}/{name}/dids: {"dids": [{scope, name}...]}.</summary>
    public static byte[] Attach(string scope, int start, int count) => Write(w => Dids(w, scope, start, count));

    /// <summary>POST /replicas/list: {"dids": [...]}, nothing else, so each server applies its own defaults.</summary>
    public static byte[] ListReplicas(string scope, int start, int count) => Write(w => Dids(w, scope, start, count));

    public static byte[] Collection(string type) => Write(w => w.WriteString("type", type));

    public static byte[] Rse() => Write(w =>
    {
        w.WriteBoolean("deterministic", true);
        w.WriteString("rse_type", "DISK");
    });

    /// <summary>
    /// A protocol on every domain and operation, so both servers build PFNs for every replica: posix ("file"), or
    /// Rucio's mock protocol, which Ferry cannot read through and so registers replicas on unverified, as Rucio does.
    /// </summary>
    public static byte[] Protocol(string scheme, string prefix) => Write(w =>
    {
        w.WriteString("scheme", scheme);
        w.WriteString("hostname", "localhost");
        w.WriteNumber("port", 0);
        w.WriteString("prefix", prefix);
        w.WriteString("impl", scheme == "file" ? "rucio.rse.protocols.posix.Default" : "rucio.rse.protocols.mock.Default");
        w.WriteStartObject("domains");
        foreach (var domain in new[] { "lan", "wan" })
        {
            w.WriteStartObject(domain);
            foreach (var op in new[] { "read", "write", "delete" }) w.WriteNumber(op, 1);
            if (domain == "wan")
            {
                w.WriteNumber("third_party_copy_read", 1);
                w.WriteNumber("third_party_copy_write", 1);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    public static byte[] Limit(long bytes) => Write(w => w.WriteNumber("bytes", bytes));

    public static byte[] Empty() => Write(_ => { });

    /// <summary>POST /rules/: one copy of the dataset on the RSE, the fields every Rucio client sends.</summary>
    public static byte[] Rule(string scope, string account, string rse) => Write(w =>
    {
        w.WriteStartArray("dids");
        w.WriteStartObject();
        w.WriteString("scope", scope);
        w.WriteString("name", Dataset);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("account", account);
        w.WriteNumber("copies", 1);
        w.WriteString("rse_expression", rse);
        w.WriteString("grouping", "DATASET");
        w.WriteNull("lifetime");
    });

    private static void Dids(Utf8JsonWriter w, string scope, int start, int count)
    {
        w.WriteStartArray("dids");
        for (var i = start; i < start + count; i++)
        {
            w.WriteStartObject();
            w.WriteString("scope", scope);
            w.WriteString("name", FileName(i));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static byte[] Write(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            members(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
