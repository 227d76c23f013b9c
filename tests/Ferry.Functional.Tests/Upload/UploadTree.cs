using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>A local folder of files to upload, with the adler32 of each, and checks of what the server then holds.</summary>
public sealed class UploadTree
{
    public string Root { get; } = TempDirs.Create("upload-src");
    /// <summary>Relative path (with '/') to content.</summary>
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// COUNT files in nested folders whose names have spaces, commas, quotes and non-ASCII letters; with
    /// <paramref name="awkward"/> false the names are plain valid DID names.
    /// </summary>
    public static UploadTree Make(int count, bool awkward, int seed = 5, Func<int, int>? size = null)
    {
        var tree = new UploadTree();
        var rng = new Random(seed);
        string[] stems = awkward ? ["file {0}", "data,{0}", "quote'{0}\"", "ünï-{0}", "日本 {0}"] : ["file_{0}", "data-{0}", "run.{0}"];
        for (var i = 0; i < count; i++)
        {
            var dir = awkward ? $"dir {i % 10}/sub, {i % 7}" : $"dir{i % 10}/sub{i % 7}";
            tree.Add($"{dir}/{string.Format(System.Globalization.CultureInfo.InvariantCulture, stems[i % stems.Length], i)}.dat", rng, size?.Invoke(i) ?? rng.Next(200, 3000));
        }
        return tree;
    }

    public void Add(string relative, Random rng, int bytes)
    {
        var data = new byte[bytes];
        rng.NextBytes(data);
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data);
        Files[relative] = data;
    }

    public static string Adler(byte[] data) => Ferry.Core.Checksums.Adler32.ToHex(Ferry.Core.Checksums.Adler32.Compute(data));

    /// <summary>Runs `ferry upload ROOT ARGS` as root.</summary>
    public Task<CliResult> UploadAsync(FerryServer server, params string[] args) => Infrastructure.Cli.RunAsync(server, ["upload", Root, .. args]);

    /// <summary>The environment that makes the CLI talk to <paramref name="server"/> as root.</summary>
    public static Dictionary<string, string> RootEnv(FerryServer server) =>
        new() { ["FERRY_URL"] = server.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword };

    /// <summary>
    /// Starts `ferry ARGS` as root and waits until <paramref name="far"/> says the upload is far enough along
    /// (the process must still run then), for a test to interrupt it. Returns the process and its stderr.
    /// </summary>
    public static async Task<(System.Diagnostics.Process Process, Task<string> Stderr)> StartAndWaitAsync(FerryServer server, string[] args, Func<bool> far)
    {
        var p = System.Diagnostics.Process.Start(Infrastructure.Cli.StartInfo(args, server.Home, RootEnv(server)))!;
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!far() && !p.HasExited && DateTime.UtcNow < deadline) await Task.Delay(5);
        Assert.False(p.HasExited, "the upload finished before it could be interrupted");
        return (p, stderr);
    }

    /// <summary>Files (with '.ferry.part' leftovers) under an RSE prefix.</summary>
    public static List<string> OnDisk(string prefix) =>
        Directory.Exists(prefix) ? Directory.EnumerateFiles(prefix, "*", SearchOption.AllDirectories).ToList() : [];

    /// <summary>How many journal lines record <paramref name="kind"/> (copying, copied, done); 0 while the file is absent or busy.</summary>
    public static int JournalEvents(string journal, string kind)
    {
        if (!File.Exists(journal)) return 0;
        try
        {
            using var s = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(s);
            var n = 0;
            while (reader.ReadLine() is { } line) if (line.Contains($"\"event\":\"{kind}\"", StringComparison.Ordinal)) n++;
            return n;
        }
        catch (IOException) { return 0; }
    }

    public static JsonElement ReadSummary(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();

    /// <summary>
    /// Through the API: the dataset holds exactly <paramref name="expected"/> (DID name to content), each file once,
    /// with its size and adler32, and AVAILABLE on <paramref name="rse"/>.
    /// </summary>
    public static async Task AssertRegisteredAsync(RawApi api, string scope, string dataset, string rse, IReadOnlyDictionary<string, byte[]> expected)
    {
        var files = await api.StreamAsync("GET", $"/dids/{scope}/{dataset}/files");
        Assert.Equal(expected.Count, files.Count);
        Assert.Equal(files.Count, files.Select(f => f.GetProperty("name").GetString()).Distinct().Count());
        foreach (var f in files)
        {
            var name = f.GetProperty("name").GetString()!;
            Assert.True(expected.TryGetValue(name, out var data), $"unexpected file {name}");
            Assert.Equal(data!.Length, f.GetProperty("bytes").GetInt64());
            Assert.Equal(Adler(data), f.GetProperty("adler32").GetString());
        }
        var body = JsonSerializer.Serialize(new { dids = new[] { new { scope, name = dataset } }, all_states = true });
        var replicas = await api.StreamAsync("POST", "/replicas/list", body);
        Assert.Equal(expected.Count, replicas.Count);
        foreach (var r in replicas)
        {
            var states = r.GetProperty("states");
            Assert.Equal("AVAILABLE", states.GetProperty(rse).GetString());
        }
    }
}
