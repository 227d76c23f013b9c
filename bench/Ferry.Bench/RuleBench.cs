using System.Diagnostics;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Db;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Catalog.Rules;
using Ferry.Core.Model;
using Ferry.Core.Rules;

namespace Ferry.Bench;

/// <summary>
/// Rule engine scale on the embedded store: a rule for 2 copies on a container of N files (locks and transfer
/// requests built in the same transaction), and listing an account's rules. Runs the catalogue in-process on a
/// fresh SQLite file, exactly as the server does.
/// </summary>
internal static class RuleBench
{
    public static async Task<int> Run(string[] args)
    {
        var files = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        var rulesToList = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        var dir = Path.Combine(Path.GetTempPath(), "ferry-rulebench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var clock = TimeProvider.System;
            var db = new SqliteCatalogDatabase(Path.Combine(dir, "catalog.db"));
            var accounts = new AccountCatalog(db, clock);
            var rses = new RseCatalog(db, clock);
            var dids = new DidCatalog(db, clock, Random.Shared);
            var replicas = new ReplicaCatalog(db, dids, clock);
            var rules = new RuleCatalog(db, clock, Random.Shared);
            await accounts.BootstrapRootAsync("bench");
            await accounts.AddScopeAsync("bench", "root");
            foreach (var r in new[] { "SRC", "DST-1", "DST-2", "DST-3" }) await rses.AddAsync(r, new RseSettings());
            foreach (var r in new[] { "DST-1", "DST-2", "DST-3" }) await rses.SetAttributeAsync(r, "dst", "yes");

            var sw = Stopwatch.StartNew();
            await dids.AddCollectionAsync("bench", "container", DidType.Container, "root", null, null);
            const int perDataset = 1000;
            for (var d = 0; d * perDataset < files; d++)
            {
                var ds = $"ds_{d:D4}";
                await dids.AddCollectionAsync("bench", ds, DidType.Dataset, "root", null, null);
                var batch = Enumerable.Range(d * perDataset, Math.Min(perDataset, files - d * perDataset))
                    .Select(i => new ReplicaFileSpec("bench", $"file_{i:D7}", 1000 + i, "00000001", null, null, ReplicaState.Available)).ToList();
                await replicas.AddAsync("SRC", batch, "root", true);
                await dids.AttachAsync("bench", ds, batch.Select(f => new ChildSpec("bench", f.Name)).ToList());
                await dids.AttachAsync("bench", "container", [new ChildSpec("bench", ds)]);
            }
            Console.WriteLine($"setup: {files} files in {(files + perDataset - 1) / perDataset} datasets registered in {sw.Elapsed.TotalSeconds:F1} s");

            // SQLite copies its log into the database file in the background after commits: let the setup's finish first, as
            // it did inside the setup's own commits before, so the rule is timed alone.
            await Task.Delay(TimeSpan.FromSeconds(3));
            sw.Restart();
            var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var ids = await rules.AddAsync(new RuleSpec { Dids = [("bench", "container")], Account = "root", Copies = 2, RseExpression = "dst=yes" });
            var ruleSeconds = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"  cpu: {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds:F2} s");
            var rule = await rules.GetAsync(ids[0]);
            Console.WriteLine($"rule on a container of {files} files, 2 copies: {rule.LocksReplicatingCnt} locks REPLICATING, state {rule.State.Wire()}, in {ruleSeconds:F2} s (target <= 5 s)");

            // One small dataset per rule (a rule is unique per DID, account, expression and copies).
            for (var i = 0; i < rulesToList; i++)
            {
                await dids.AddCollectionAsync("bench", $"small_{i:D5}", DidType.Dataset, "root", null, null);
                await rules.AddAsync(new RuleSpec { Dids = [("bench", $"small_{i:D5}")], Account = "root", Copies = 1, RseExpression = "DST-1", Comment = $"rule {i}", LifetimeSeconds = 86400 });
            }
            var times = new List<double>();
            int listed = 0;
            for (var round = 0; round < 5; round++)
            {
                sw.Restart();
                listed = (await rules.ListAsync(new RuleFilter(Account: "root"))).Count;
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"listing {listed} rules of one account: median {times[2]:F0} ms, best {times[0]:F0} ms (target <= 200 ms; the catalogue query, without HTTP)");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Environment.GetEnvironmentVariable("FERRY_BENCH_KEEP") != "1") Directory.Delete(dir, true);
            else Console.Error.WriteLine($"kept {dir}");
        }
    }
}
