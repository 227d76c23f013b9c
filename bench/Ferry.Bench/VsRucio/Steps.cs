using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Ferry.Bench.VsRucio;

/// <summary>The names one run uses on one server: a scope and an RSE of its own, so runs never see each other's rows.</summary>
internal sealed record RunNames(string Scope, string Rse, string Scheme, string Prefix);

/// <summary>
/// One run on one server: seed (untimed), then the four timed steps. Every step is checked, so that a server that
/// answers wrongly fails the bench instead of looking fast.
/// </summary>
internal static class Steps
{
    public const string Register = "register";
    public const string ListReplicas = "list-replicas";
    public const string ListFiles = "list-files";
    public const string Rule = "rule";
    public const string RuleOk = "rule-ok";
    public static readonly string[] All = [Register, ListReplicas, ListFiles, Rule, RuleOk];

    private const int WriteBatch = 250;
    private const int ListBatch = 1_000;

    public static async Task<Dictionary<string, double>> RunAsync(DialectClient c, RunNames names, int files, Action<string> log)
    {
        var times = new Dictionary<string, double>();
        var scope = names.Scope;
        await c.AuthenticateAsync();
        await SeedAsync(c, names);

        // Bodies first, outside the clock.
        var replicaBodies = Bodies.Batches(files, WriteBatch).Select(b => Bodies.Replicas(scope, names.Rse, b.Start, b.Count)).ToList();
        var attachBodies = Bodies.Batches(files, WriteBatch).Select(b => Bodies.Attach(scope, b.Start, b.Count)).ToList();
        var listBatches = Bodies.Batches(files, ListBatch).ToList();
        var listBodies = listBatches.Select(b => Bodies.ListReplicas(scope, b.Start, b.Count)).ToList();
        var dataset = $"dids/{scope}/{Bodies.Dataset}";

        var sw = Stopwatch.StartNew();
        foreach (var body in replicaBodies) await c.SendAsync(HttpMethod.Post, "replicas", body, HttpStatusCode.Created);
        await c.SendAsync(HttpMethod.Post, dataset, Bodies.Collection("DATASET"), HttpStatusCode.Created);
        foreach (var body in attachBodies) await c.SendAsync(HttpMethod.Post, dataset + "/dids", body, HttpStatusCode.Created);
        times[Register] = Seconds(sw);
        log($"{Register} {times[Register]:F2} s");

        sw.Restart();
        long listed = 0;
        for (var i = 0; i < listBodies.Count; i++)
        {
            var answer = await c.StreamAsync(HttpMethod.Post, "replicas/list", listBodies[i]);
            if (answer.Lines != listBatches[i].Count)
                throw new BenchFailure($"{c.Label}: POST /replicas/list of {listBatches[i].Count} DIDs gave {answer.Lines} lines");
            CheckReplica(c.Label, answer.FirstLine, names.Rse);
            listed += answer.Lines;
        }
        times[ListReplicas] = Seconds(sw);
        log($"{ListReplicas} {times[ListReplicas]:F2} s ({listed} replicas)");

        sw.Restart();
        var content = await c.StreamAsync(HttpMethod.Get, dataset + "/files", null);
        times[ListFiles] = Seconds(sw);
        if (content.Lines != files) throw new BenchFailure($"{c.Label}: GET /{dataset}/files gave {content.Lines} lines, not {files}");
        CheckFile(c.Label, content.FirstLine);
        log($"{ListFiles} {times[ListFiles]:F2} s ({content.Lines} files)");

        sw.Restart();
        var answerText = await c.SendAsync(HttpMethod.Post, "rules/", Bodies.Rule(scope, c.Login.Account, names.Rse), HttpStatusCode.Created);
        times[Rule] = Seconds(sw);
        var ruleId = JsonDocument.Parse(answerText).RootElement.EnumerateArray().Single().GetString()!;
        // The replicas are all on the RSE already, so the rule should be OK the moment it exists (then both figures
        // are the same); if a server evaluates it later, the wait until OK is the second figure.
        var okAt = times[Rule];
        var state = await RuleStateAsync(c, ruleId);
        while (state != "OK")
        {
            if (sw.Elapsed > TimeSpan.FromMinutes(30)) throw new BenchFailure($"{c.Label}: rule {ruleId} still {state} after 30 minutes");
            await Task.Delay(50);
            state = await RuleStateAsync(c, ruleId);
            okAt = Seconds(sw);
        }
        times[RuleOk] = okAt;
        log($"{Rule} {times[Rule]:F2} s, OK at {times[RuleOk]:F2} s");
        return times;
    }

    /// <summary>A scope, a deterministic posix RSE with a protocol (so PFNs are built) and an account limit on it.</summary>
    private static async Task SeedAsync(DialectClient c, RunNames names)
    {
        var account = c.Login.Account;
        await c.SendAsync(HttpMethod.Post, $"scopes/{account}/{names.Scope}", Bodies.Empty(), HttpStatusCode.Created);
        await c.SendAsync(HttpMethod.Post, $"rses/{names.Rse}", Bodies.Rse(), HttpStatusCode.Created);
        await c.SendAsync(HttpMethod.Post, $"rses/{names.Rse}/protocols/{names.Scheme}", Bodies.Protocol(names.Scheme, names.Prefix), HttpStatusCode.Created);
        await c.SendAsync(HttpMethod.Post, $"accounts/{account}/limits/local/{names.Rse}", Bodies.Limit(1L << 50), HttpStatusCode.Created);
    }

    private static async Task<string> RuleStateAsync(DialectClient c, string id)
    {
        var text = await c.SendAsync(HttpMethod.Get, $"rules/{id}", null, HttpStatusCode.OK);
        return JsonDocument.Parse(text).RootElement.GetProperty("state").GetString() ?? "";
    }

    /// <summary>The first replica of an answer: one of ours, on our RSE, with at least one non-empty PFN.</summary>
    private static void CheckReplica(string label, string line, string rse)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        var name = r.GetProperty("name").GetString() ?? "";
        var pfns = r.GetProperty("pfns").EnumerateObject().Select(p => p.Name).ToList();
        var onRse = r.GetProperty("rses").TryGetProperty(rse, out var list) ? list.EnumerateArray().Select(e => e.GetString()).ToList() : [];
        if (!name.StartsWith("file_", StringComparison.Ordinal) || pfns.Count == 0 || pfns.Any(string.IsNullOrEmpty) || onRse.Count == 0 || onRse.Any(string.IsNullOrEmpty))
            throw new BenchFailure($"{label}: a listed replica lacks its name, PFNs or RSE: {line}");
    }

    private static void CheckFile(string label, string line)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        if (!(r.GetProperty("name").GetString() ?? "").StartsWith("file_", StringComparison.Ordinal) || r.GetProperty("bytes").GetInt64() <= 0)
            throw new BenchFailure($"{label}: a listed file lacks its name or size: {line}");
    }

    /// <summary>The posix mode's files, at Rucio's hash path under the prefix: one copy serves every server of the run.</summary>
    public static void WriteFiles(RunNames names, int files)
    {
        for (var i = 0; i < files; i++)
        {
            var path = Path.Combine(names.Prefix, Ferry.Core.Paths.Lfn2Pfn.Hash(names.Scope, Bodies.FileName(i)));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, Bodies.Content(i));
        }
    }

    private static double Seconds(Stopwatch sw) => sw.Elapsed.TotalSeconds;
}
