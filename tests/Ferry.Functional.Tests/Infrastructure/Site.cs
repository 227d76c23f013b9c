using System.Security.Cryptography;
using System.Text.Json;

namespace Ferry.Functional.Tests.Infrastructure;

/// <summary>A test file: its name, content and the adler32 Rucio would compute.</summary>
public sealed record TestFile(string Scope, string Name, byte[] Content)
{
    public string Adler32 => Ferry.Core.Checksums.Adler32.ToHex(Ferry.Core.Checksums.Adler32.Compute(Content));
    public string HashPath => Ferry.Core.Paths.Lfn2Pfn.Hash(Scope, Name);
}

/// <summary>Posix RSEs made through the dialect, and files put on them the way a Rucio client uploads.</summary>
public static class Site
{
    public static async Task<string> AddPosixRseAsync(RawApi api, string name)
    {
        var prefix = TempDirs.Create(name.ToLowerInvariant());
        Assert.Equal(201, (int)(await api.SendAsync("POST", $"/rses/{name}")).StatusCode);
        var protocol = JsonSerializer.Serialize(new
        {
            hostname = "localhost", port = 0, prefix, impl = "rucio.rse.protocols.posix.Default",
            domains = new { lan = new { read = 1, write = 1, delete = 1 }, wan = new { read = 1, write = 1, delete = 1 } },
        });
        Assert.Equal(201, (int)(await api.SendAsync("POST", $"/rses/{name}/protocols/file", protocol)).StatusCode);
        return prefix;
    }

    public static List<TestFile> MakeFiles(string scope, string stem, int count, Func<int, int> size)
    {
        var rng = new Random(stem.GetHashCode(StringComparison.Ordinal));
        return Enumerable.Range(0, count).Select(i =>
        {
            var data = new byte[size(i)];
            rng.NextBytes(data);
            return new TestFile(scope, $"{stem}_{i:D4}.dat", data);
        }).ToList();
    }

    /// <summary>Writes the bytes at the deterministic path, registers the replicas (state A, verified by the server) and attaches them.</summary>
    public static async Task UploadAsync(RawApi api, string rse, string prefix, string dataset, IReadOnlyList<TestFile> files)
    {
        foreach (var f in files)
        {
            var path = Path.Combine(prefix, f.HashPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, f.Content);
        }
        var scope = files[0].Scope;
        using (var ds = await api.SendAsync("POST", $"/dids/{scope}/{dataset}", """{"type":"DATASET"}"""))
            Assert.True((int)ds.StatusCode is 201 or 409, await ds.Content.ReadAsStringAsync());
        foreach (var chunk in files.Chunk(500))
        {
            var body = JsonSerializer.Serialize(new { rse, files = chunk.Select(f => new { scope = f.Scope, name = f.Name, bytes = f.Content.Length, adler32 = f.Adler32, state = "A" }) });
            using var add = await api.SendAsync("POST", "/replicas", body);
            Assert.True(201 == (int)add.StatusCode, await add.Content.ReadAsStringAsync());
            var attach = JsonSerializer.Serialize(new { dids = chunk.Select(f => new { scope = f.Scope, name = f.Name }) });
            using var att = await api.SendAsync("POST", $"/dids/{scope}/{dataset}/dids", attach);
            Assert.True(201 == (int)att.StatusCode, await att.Content.ReadAsStringAsync());
        }
    }

    public static async Task<string> AddRuleAsync(RawApi api, string scope, string name, string expression, int copies = 1, string grouping = "DATASET", long? lifetime = null)
    {
        var body = JsonSerializer.Serialize(new { dids = new[] { new { scope, name } }, copies, rse_expression = expression, account = (string?)null, grouping, lifetime });
        var ids = await api.JsonAsync("POST", "/rules/", body);
        return ids[0].GetString()!;
    }

    public static async Task<JsonElement> WaitForRuleAsync(RawApi api, string id, string state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement rule;
        do
        {
            rule = await api.JsonAsync("GET", $"/rules/{id}");
            if (rule.GetProperty("state").GetString() == state) return rule;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"rule {id} did not reach {state} in {timeout}: {rule}");
        return rule;
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(250);
        }
        Assert.Fail($"timed out after {timeout} waiting for {what}");
    }

    /// <summary>
    /// Every file under the prefix (temporary names included) with its content hash. A file that disappears between
    /// the listing and the read (the reaper or a transfer's rename at work) is not in the snapshot: it was not there.
    /// </summary>
    public static Dictionary<string, string> Snapshot(string prefix)
    {
        for (var attempt = 1; ; attempt++)
        {
            var files = new Dictionary<string, string>();
            try
            {
                foreach (var p in Directory.EnumerateFiles(prefix, "*", SearchOption.AllDirectories))
                {
                    try { files[Path.GetRelativePath(prefix, p)] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))); }
                    catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { }
                }
                return files;
            }
            // A directory removed while it was being listed: list again.
            catch (DirectoryNotFoundException) when (attempt < 5 && Directory.Exists(prefix)) { }
        }
    }

    public static string Sha(byte[] data) => Convert.ToHexString(SHA256.HashData(data));
}
