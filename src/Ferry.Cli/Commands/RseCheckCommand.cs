using System.CommandLine;
using System.Text.Json.Nodes;
using Ferry.Cli.Output;
using Ferry.Client.Http;
using Ferry.Core.Errors;
using Ferry.Core.Sync;

namespace Ferry.Cli.Commands;

/// <summary>
/// `ferry rse check RSE`: the catalogue against the storage (listed by the server, or a dump), fixed with --fix.
/// Its exit code is for cron and scripts, after rclone check: 0 clean, 1 problems found (fixed or not), 2 a usage
/// error or a check that could not run or finish.
/// </summary>
internal static class RseCheckCommand
{
    public const int Clean = 0, ProblemsFound = 1, CouldNotCheck = 2;

    public static Command Build()
    {
        var name = new Argument<string>("rse");
        var dump = new Option<string?>("--dump") { Description = "A storage dump (one path per line, relative to the prefix, absolute or as PFN) instead of listing the storage" };
        var fix = new Option<bool>("--fix") { Description = "Delete dark files and declare lost or corrupt replicas BAD (so they are copied again); the exit code is still 1 when there was something to fix" };
        var grace = new Option<string>("--grace") { DefaultValueFactory = _ => "1d", Description = "Files on storage younger than this are not dark yet (uploads in flight)" };
        var sample = new Option<int>("--sample") { DefaultValueFactory = _ => 100, Description = "Replicas whose size and checksum are checked on the storage" };
        var rate = new Option<int>("--rate") { DefaultValueFactory = _ => 20, Description = "At most this many sampled checks per second" };
        var json = Common.JsonOption();
        var check = new Command("check", "Compare an RSE's catalogue with its storage: dark, lost and corrupt files. "
            + "Exit code 0: clean; 1: problems found (also when --fix fixed them); 2: usage error, or the check could not run or finish").With(name, dump, fix, grace, sample, rate, json);
        check.SetAction((pr, ct) => Guarded(async () =>
        {
            if (pr.GetValue(sample) < 0 || pr.GetValue(rate) < 0) throw new UsageException("--sample and --rate must not be negative");
            var rse = pr.GetValue(name)!;
            using var c = Common.Client();
            var body = new JsonObject
            {
                ["fix"] = pr.GetValue(fix), ["grace_seconds"] = pr.GetValue(grace)!.Trim() is "0" or "0s" ? 0 : Common.Duration(pr.GetValue(grace)), ["sample"] = pr.GetValue(sample),
                ["checks_per_second"] = pr.GetValue(rate),
            };
            if (pr.GetValue(dump) is { } file)
            {
                var prefixes = (await c.GetRseAsync(rse, ct)).Protocols.Select(p => p.Prefix).ToList();
                using var reader = new StreamReader(file);
                body["dump"] = new JsonArray(StorageDump.Read(reader, prefixes, $"the dump {file}").Select(p => (JsonNode)p).ToArray());
            }
            var report = await c.CheckRseAsync(rse, body, ct);
            var problems = new[] { "dark", "lost", "mismatched" }.Sum(k => report.GetProperty(k).GetArrayLength());
            var errors = report.GetProperty("errors").GetArrayLength();
            var exit = errors > 0 ? CouldNotCheck : problems > 0 ? ProblemsFound : Clean;
            if (pr.GetValue(json)) { Render.Json(report); return exit; }
            Console.Out.WriteLine($"{rse} ({report.Str("source")}): {report.Long("catalogued")} catalogued, {report.Long("on_storage")} on storage, {report.Long("present")} where expected");
            foreach (var (key, label) in new[] { ("dark", "dark"), ("lost", "lost"), ("mismatched", "corrupt") })
                foreach (var f in report.GetProperty(key).EnumerateArray())
                    Console.Out.WriteLine($"{label}\t{f.Str("path")}\t{f.Str("did") ?? "-"}\t{f.Str("problem")}");
            if (report.Long("young_dark") is > 0 and var young) Console.Out.WriteLine($"{young} file(s) in no catalogue row are younger than --grace: left for the next check");
            Console.Out.WriteLine($"sampled {report.Long("sampled")} replica(s) for size and checksum");
            foreach (var e in report.GetProperty("errors").EnumerateArray()) Console.Error.WriteLine($"ferry: {e.GetString()}");
            if (report.TryGetProperty("fixed", out var fixedFlag) && fixedFlag.GetBoolean())
                Console.Out.WriteLine($"fixed: {report.Long("deleted")} dark file(s) deleted, {report.Long("declared_bad")} replica(s) declared BAD (copied again from good replicas)");
            else if (problems > 0) Console.Out.WriteLine("nothing was changed (--fix deletes dark files and declares the others BAD)");
            Console.Out.WriteLine("timings: " + string.Join(", ", report.GetProperty("phase_ms").EnumerateObject().Select(p => $"{p.Name} {p.Value.GetInt64()} ms")));
            return exit;
        }));
        return check;
    }

    /// <summary>
    /// Elsewhere in the CLI a failure exits 1; here 1 means "problems found", so a check that could not run at all
    /// (unknown RSE, server or storage unreachable, unreadable dump) exits 2 instead. Usage errors already exit 2.
    /// </summary>
    private static async Task<int> Guarded(Func<Task<int>> check)
    {
        try { return await check(); }
        catch (FerryApiException e) when (e.ExceptionClass != FerryExtensions.MissingCapability) { return CouldNotRun($"{e.ExceptionClass}: {e.Message}"); }
        catch (FerryException e) when (e is not FerryApiException && e.Status != 400) { return CouldNotRun($"{e.ExceptionClass}: {e.Message}"); }
        catch (Exception e) when (e is HttpRequestException or IOException) { return CouldNotRun(e.Message); }
    }

    private static int CouldNotRun(string message)
    {
        Console.Error.WriteLine($"ferry: {message}");
        return CouldNotCheck;
    }
}
