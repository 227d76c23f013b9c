using System.Globalization;

namespace Ferry.Bench.VsRucio;

/// <summary>
/// The same Rucio-dialect requests against the real Rucio and one or more `ferry server`s, the servers alternating run
/// by run (each run starts with the next server, so a slow spell of a shared machine does not always land on the same
/// one). Prints each run's times as they come and then a table of medians with the ratio Rucio/Ferry.
/// </summary>
/// <remarks>
/// The RSE's protocol is Rucio's mock one by default: both servers build PFNs from it and neither reads storage, so
/// the same requests do the same work. With --storage posix it is a "file" protocol and the files are written first
/// (untimed): Ferry then reads the bytes of every replica registered AVAILABLE, which Rucio never does.
/// </remarks>
internal static class VsRucioBench
{
    public const string UsageLine =
        "vs-rucio [--rucio URL] [--rucio-login root:ddmlab:secret] [--ferry [LABEL=]URL[,[LABEL=]URL]] [--ferry-login root:root:bench] [--files 10000,100000] [--runs 3] [--warmup 100] [--storage mock|posix] [--prefix /tmp/ferry-vs-rucio/]";

    private sealed record Server(string Label, string Url, Login Login, bool IsRucio);

    public static async Task<int> Run(string[] args)
    {
        var options = Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: Ferry.Bench " + UsageLine);
            return 2;
        }
        var (servers, sizes, runs, warmup, scheme, prefix) = options.Value;
        var stamp = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 0x10000000).ToString("x7", CultureInfo.InvariantCulture);
        var results = new Results();
        var clients = new List<DialectClient>();
        try
        {
            foreach (var s in servers) clients.Add(await DialectClient.ConnectAsync(s.Label, s.Url, s.Login));
            Console.WriteLine($"# vs-rucio {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, names vs{stamp}_*, {scheme} protocol, servers: " +
                string.Join(", ", servers.Select(s => $"{s.Label} {s.Url}")));
            // An untimed round first: the servers' first requests (a JIT compiling, caches filling) are no part of a step.
            if (warmup > 0) await RoundAsync(clients, new RunNames($"vs{stamp}_warm", $"VS{stamp.ToUpperInvariant()}_WARM", scheme, prefix), warmup, 1, null);
            foreach (var files in sizes)
            {
                for (var run = 1; run <= runs; run++)
                {
                    var size = files % 1000 == 0 ? $"{files / 1000}k" : files.ToString(CultureInfo.InvariantCulture);
                    var names = new RunNames($"vs{stamp}_{size}_{run}", $"VS{stamp.ToUpperInvariant()}_{size.ToUpperInvariant()}_{run}", scheme, prefix);
                    await RoundAsync(clients, names, files, run, results);
                }
            }
        }
        catch (BenchFailure e)
        {
            Console.Error.WriteLine("vs-rucio: " + e.Message);
            return 1;
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
        Console.WriteLine();
        Console.Write(results.Table(servers.Select(s => s.Label).ToList(), servers.FirstOrDefault(s => s.IsRucio)?.Label, sizes));
        return 0;
    }

    /// <summary>One run on every server, run n starting with the n-th server; the posix files are written once for all of them.</summary>
    private static async Task RoundAsync(List<DialectClient> clients, RunNames names, int files, int run, Results? results)
    {
        if (names.Scheme == "file") Steps.WriteFiles(names, files);
        for (var k = 0; k < clients.Count; k++)
        {
            var c = clients[(k + run - 1) % clients.Count];
            Console.WriteLine($"## {files} files, {(results is null ? "warm-up (untimed)" : $"run {run}")}, {c.Label}: scope {names.Scope}, RSE {names.Rse}");
            var times = await Steps.RunAsync(c, names, files, line => Console.WriteLine("   " + line));
            foreach (var (step, seconds) in times) results?.Add(c.Label, files, step, seconds);
        }
        if (names.Scheme == "file") Directory.Delete(Path.Combine(names.Prefix, names.Scope), recursive: true);
    }

    private static (List<Server> Servers, List<int> Sizes, int Runs, int Warmup, string Scheme, string Prefix)? Parse(string[] args)
    {
        var servers = new List<Server>();
        string? rucio = null, ferry = null;
        var rucioLogin = new Login("root", "ddmlab", "secret");
        var ferryLogin = new Login("root", "root", "bench");
        var sizes = new List<int> { 10_000, 100_000 };
        var runs = 3;
        var warmup = 100;
        var prefix = "/tmp/ferry-vs-rucio/";
        var scheme = "mock";
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--rucio": rucio = value; break;
                case "--rucio-login": rucioLogin = Login.Parse(value); break;
                case "--ferry": ferry = value; break;
                case "--ferry-login": ferryLogin = Login.Parse(value); break;
                case "--files": sizes = value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList(); break;
                case "--runs": runs = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--prefix": prefix = value; break;
                case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--storage" when value is "mock" or "posix": scheme = value == "posix" ? "file" : "mock"; break;
                default: return null;
            }
        }
        if (args.Length % 2 != 0) return null;
        if (rucio is not null) servers.Add(new Server("rucio", rucio, rucioLogin, true));
        var ferries = ferry?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [];
        for (var i = 0; i < ferries.Length; i++)
        {
            var parts = ferries[i].Split('=', 2);
            var label = parts.Length == 2 ? parts[0] : ferries.Length == 1 ? "ferry" : $"ferry{i + 1}";
            servers.Add(new Server(label, parts[^1], ferryLogin, false));
        }
        return servers.Count == 0 || runs < 1 ? null : (servers, sizes, runs, warmup, scheme, prefix);
    }
}
