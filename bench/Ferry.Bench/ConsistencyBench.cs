using System.Diagnostics;
using Dapper;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Db;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Core.Paths;
using Ferry.Core.Sync;

namespace Ferry.Bench;

/// <summary>
/// The consistency check's diff at scale: N replicas of one RSE in the embedded catalogue against a storage dump of
/// N lines (0.1% of the files lost, as many dark files added). Ferry's part is what the server does for
/// `ferry rse check --dump`: list the RSE's replicas, compute their paths, read the dump, compare. The reference is
/// what a shell auditor does with the same two path lists already on disk: sort both and `comm -3`.
/// </summary>
internal static class ConsistencyBench
{
    public static async Task<int> Run(string[] args)
    {
        var files = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
        var dir = Path.Combine(Path.GetTempPath(), "ferry-consistencybench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var clock = TimeProvider.System;
            var db = new SqliteCatalogDatabase(Path.Combine(dir, "catalog.db"));
            var accounts = new AccountCatalog(db, clock);
            var rses = new RseCatalog(db, clock);
            await accounts.BootstrapRootAsync("bench");
            await accounts.AddScopeAsync("bench", "root");
            var rse = await rses.AddAsync("BENCH", new RseSettings());
            var sw = Stopwatch.StartNew();
            await db.WriteAsync(async (c, tx) =>
            {
                // Set-based so that setting up a million rows takes seconds; paths are left NULL, so the check computes every one.
                await c.ExecuteAsync("""
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i+1 < @files)
                    INSERT INTO dids(scope,name,type,account,bytes,adler32,created_at,updated_at)
                    SELECT 'bench', printf('file_%07d', i), 0, 'root', 1000, '00000001', 0, 0 FROM n
                    """, new { files }, tx);
                await c.ExecuteAsync("""
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i+1 < @datasets)
                    INSERT INTO dids(scope,name,type,account,created_at,updated_at) SELECT 'bench', printf('ds_%04d', i), 1, 'root', 0, 0 FROM n
                    """, new { datasets = (files + 999) / 1000 }, tx);
                await c.ExecuteAsync("""
                    INSERT INTO contents(scope,name,child_scope,child_name,child_type,created_at)
                    SELECT 'bench', printf('ds_%04d', CAST(substr(name, 6) AS INTEGER) / 1000), scope, name, 0, 0 FROM dids WHERE type=0
                    """, transaction: tx);
                return await c.ExecuteAsync("""
                    INSERT INTO replicas(scope,name,rse_id,state,bytes,path,tombstone,lock_cnt,created_at,updated_at)
                    SELECT scope, name, @Id, 0, 1000, NULL, NULL, 0, 0, 0 FROM dids WHERE type=0
                    """, new { rse.Id }, tx);
            });
            Console.WriteLine($"setup: {files} replicas on one RSE in {sw.Elapsed.TotalSeconds:F1} s");
            var lost = files / 1000;
            var paths = Enumerable.Range(0, files).Select(i => Lfn2Pfn.Hash("bench", $"file_{i:D7}")).ToList();
            var dump = Path.Combine(dir, "dump.txt");
            var catalogue = Path.Combine(dir, "catalogue.txt");
            await File.WriteAllLinesAsync(dump, paths.Skip(lost).Concat(Enumerable.Range(0, lost).Select(i => $"bench/00/00/dark_{i:D6}")));
            await File.WriteAllLinesAsync(catalogue, paths);
            var listing = new RseReplicaListing(db);

            var ferry = new List<double>();
            var reference = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                sw.Restart();
                var rows = await listing.ListAsync("BENCH", withDatasets: false);
                var listed = sw.Elapsed.TotalSeconds;
                var expected = rows.Select(r => new PlacedReplica(r.Scope, r.Name, r.Path ?? Lfn2Pfn.Hash(r.Scope, r.Name), r.Bytes, r.Adler32, r.Md5)).ToList();
                var known = expected.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
                List<string> onStorage;
                using (var reader = new StreamReader(dump)) onStorage = StorageDump.Read(reader, ["/"]);
                var read = sw.Elapsed.TotalSeconds;
                var diff = StorageDiff.Compare(expected, known, onStorage);
                ferry.Add(sw.Elapsed.TotalSeconds);
                if (diff.Dark.Count != lost || diff.Lost.Count != lost) throw new InvalidOperationException($"wrong diff: {diff.Dark.Count} dark, {diff.Lost.Count} lost");
                Console.WriteLine($"ferry run {run + 1}: {rows.Count} catalogued, {onStorage.Count} in the dump, {diff.Dark.Count} dark, {diff.Lost.Count} lost in {ferry[^1]:F2} s (listing {listed:F2} s, paths and dump {read - listed:F2} s, compare {ferry[^1] - read:F2} s)");

                sw.Restart();
                var psi = new ProcessStartInfo("bash", ["-c", $"LC_ALL=C comm -3 <(LC_ALL=C sort '{catalogue}') <(LC_ALL=C sort '{dump}') | wc -l"]) { RedirectStandardOutput = true };
                using var p = Process.Start(psi)!;
                var lines = (await p.StandardOutput.ReadToEndAsync()).Trim();
                await p.WaitForExitAsync();
                reference.Add(sw.Elapsed.TotalSeconds);
                Console.WriteLine($"sort+comm run {run + 1}: {lines} differing lines in {reference[^1]:F2} s");
            }
            double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
            Console.WriteLine($"median: ferry {Median(ferry):F2} s (target <= 10 s), sort+comm {Median(reference):F2} s, ratio {Median(ferry) / Median(reference):F2}");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
