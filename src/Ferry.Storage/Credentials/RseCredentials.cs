using System.Text.Json;

namespace Ferry.Storage.Credentials;

/// <summary>
/// Storage secrets keyed by RSE name, read from <c>rse-credentials.json</c> (server: in FERRY_HOME; client: in its
/// config directory). Like Rucio's rse-accounts.cfg, secrets never travel through the API or RSE attributes.
/// The file is re-read when it changes, so adding a site needs no restart.
/// </summary>
public sealed class RseCredentials(string path)
{
    public const string FileName = "rse-credentials.json";
    private readonly Lock _gate = new();
    private DateTime _loadedStamp = DateTime.MinValue;
    private Dictionary<string, IReadOnlyDictionary<string, string>> _byRse = new(StringComparer.Ordinal);

    public string Path => path;

    public IReadOnlyDictionary<string, string>? For(string rse)
    {
        lock (_gate)
        {
            var stamp = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
            if (stamp != _loadedStamp)
            {
                _byRse = stamp == DateTime.MinValue ? new(StringComparer.Ordinal) : Parse(File.ReadAllText(path), path);
                _loadedStamp = stamp;
            }
            return _byRse.GetValueOrDefault(rse);
        }
    }

    public static Dictionary<string, IReadOnlyDictionary<string, string>> Parse(string json, string where)
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(json);
            foreach (var rse in doc.RootElement.EnumerateObject())
            {
                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var f in rse.Value.EnumerateObject())
                    fields[f.Name] = f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString()! : f.Value.GetRawText();
                result[rse.Name] = fields;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new StorageException($"{where} is not a JSON object of RSE name -> {{field: value}}: {e.Message}", permanent: true, e);
        }
        return result;
    }
}
