using System.Diagnostics;
using Ferry.Catalog.Accounts;
using Ferry.Catalog.Db;
using Ferry.Catalog.Db.Postgres;
using Ferry.Catalog.Dids;
using Ferry.Catalog.Replicas;
using Ferry.Catalog.Rses;
using Ferry.Catalog.Rules;
using Ferry.Catalog.Transfers;
using Ferry.Core.Model;
using Ferry.Core.Rules;

namespace Ferry.Bench;

/// <summary>
/// The catalogue on either store, in process, with the code the server runs: registering FILES files (POST /replicas
/// batches of 1,000, then attaching each batch to its dataset), a rule on a container of RULE-FILES of them, listing the
/// replicas of LIST-DIDS files (POST /replicas/list's catalogue call), and transfers/s through the conveyor's
/// queue with 1, 2 and 4 workers (claim with a lease, complete: the transfer itself is a no-op).
/// STORE is "sqlite" or a postgres:// URL (a fresh schema is made for the run).
/// </summary>
internal static class CatalogBench
{
    public static async Task<int> Run(string[] args)
    {
        var store = args.Length > 0 ? args[0] : "sqlite";
        int Arg(int i, int d) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : d;
        var files = Arg(1, 1_000_000);
        var ruleFiles = Math.Min(files, Arg(2, 100_000));
        var listDids = Math.Min(files, Arg(3, 10_000));
        var transfers = Arg(4, 2_000);
        var dir = Path.Combine(Path.GetTempPath(), "ferry-catbench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var schema = $"bench_{Guid.NewGuid():N}";
        ICatalogDatabase db = store == "sqlite" ? new SqliteCatalogDatabase(Path.Combine(dir, "catalog.db"))
            : new PostgresCatalogDatabase($"{store}{(store.Contains('?') ? '&' : '?')}schema={schema}", Random.Shared);
        Console.WriteLine($"store: {CatalogStore.Describe(db)}; load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        try
        {
            var clock = TimeProvider.System;
            var accounts = new AccountCatalog(db, clock);
            var rses = new RseCatalog(db, clock);
            var dids = new DidCatalog(db, clock, Random.Shared);
            var replicas = new ReplicaCatalog(db, dids, clock);
            var rules = new RuleCatalog(db, clock, Random.Shared);
            await accounts.BootstrapRootAsync("bench");
            await accounts.AddScopeAsync("bench", "root");
            foreach (var r in new[] { "SRC", "DST-1", "DST-2", "DST-3", "NOOP" }) await rses.AddAsync(r, new RseSettings());
            foreach (var r in new[] { "DST-1", "DST-2", "DST-3" }) await rses.SetAttributeAsync(r, "dst", "yes");

            const int perDataset = 1000;
            var sw = Stopwatch.StartNew();
            double registerOnly = 0;
            await dids.AddCollectionAsync("bench", "container", DidType.Container, "root", null, null);
            for (var d = 0; d * perDataset < files; d++)
            {
                var ds = $"ds_{d:D4}";
                await dids.AddCollectionAsync("bench", ds, DidType.Dataset, "root", null, null);
                var batch = Enumerable.Range(d * perDataset, Math.Min(perDataset, files - d * perDataset))
                    .Select(i => new ReplicaFileSpec("bench", $"file_{i:D7}", 1000 + i, "00000001", null, null, ReplicaState.Available)).ToList();
                var t = Stopwatch.GetTimestamp();
                await replicas.AddAsync("SRC", batch, "root", true);
                registerOnly += Stopwatch.GetElapsedTime(t).TotalSeconds;
                await dids.AttachAsync("bench", ds, batch.Select(f => new ChildSpec("bench", f.Name)).ToList());
                if (d * perDataset < ruleFiles) await dids.AttachAsync("bench", "container", [new ChildSpec("bench", ds)]);
            }
            Console.WriteLine($"register {files:N0} files (replicas + DIDs, batches of {perDataset}): {registerOnly:F1} s; with attaching to datasets: {sw.Elapsed.TotalSeconds:F1} s");
            if (db is PostgresCatalogDatabase) await RegistrationFloorAsync(store, files, perDataset);

            var list = Enumerable.Range(0, listDids).Select(i => ("bench", $"file_{i * (files / listDids):D7}")).ToList();
            var times = new List<double>();
            for (var round = 0; round < 3; round++)
            {
                sw.Restart();
                var got = await replicas.ListAsync(list, allStates: false, rseIds: null, withParents: false);
                times.Add(sw.Elapsed.TotalSeconds);
                if (got.Count != listDids) throw new InvalidOperationException($"listed {got.Count} files, expected {listDids}");
            }
            times.Sort();
            Console.WriteLine($"list replicas of {listDids:N0} files: median {times[1]:F2} s, best {times[0]:F2} s");

            // SQLite copies its log into the database file in the background after commits: let the setup's finish first, as
            // it did inside the setup's own commits before, so the rule is timed alone.
            await Task.Delay(TimeSpan.FromSeconds(3));
            sw.Restart();
            var ids = await rules.AddAsync(new RuleSpec { Dids = [("bench", "container")], Account = "root", Copies = 2, RseExpression = "dst=yes" });
            var ruleSeconds = sw.Elapsed.TotalSeconds;
            var rule = await rules.GetAsync(ids[0]);
            Console.WriteLine($"rule on a container of {ruleFiles:N0} files, 2 copies: {rule.LocksReplicatingCnt:N0} locks REPLICATING in {ruleSeconds:F1} s");

            var srcId = (await rses.ListAsync()).First(r => r.Name == "SRC").Id;
            // The big rule's requests stay queued: only NOOP's are drained by the transfer runs.
            foreach (var r in new[] { "DST-1", "DST-2", "DST-3" }) await rses.UpdateAsync(r, new RseSettings(AvailabilityWrite: false));
            foreach (var workers in new[] { 1, 2, 4 }) await TransfersAsync(db, dids, replicas, rules, clock, workers, transfers, srcId);
            return 0;
        }
        finally
        {
            if (db is PostgresCatalogDatabase pg) await DropSchemaAsync(pg, schema);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// The store's own floor for registration: the same rows (a DID and a replica per file) written by bare binary COPY
    /// into a fresh schema of the same tables, a transaction per batch as the catalogue does, with none of its checks.
    /// </summary>
    private static async Task RegistrationFloorAsync(string store, int files, int perBatch)
    {
        var schema = $"bench_floor_{Guid.NewGuid():N}";
        var db = new PostgresCatalogDatabase($"{store}{(store.Contains('?') ? '&' : '?')}schema={schema}", Random.Shared);
        try
        {
            var clock = TimeProvider.System;
            await new AccountCatalog(db, clock).BootstrapRootAsync("bench");
            await new AccountCatalog(db, clock).AddScopeAsync("bench", "root");
            var rses = new RseCatalog(db, clock);
            await rses.AddAsync("SRC", new RseSettings());
            var srcId = (await rses.ListAsync()).First(r => r.Name == "SRC").Id;
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var cpu0 = ProcessCpu.Snapshot();
            var sw = Stopwatch.StartNew();
            for (var first = 0; first < files; first += perBatch)
            {
                var names = Enumerable.Range(first, Math.Min(perBatch, files - first)).Select(i => $"file_{i:D7}").ToList();
                await db.WriteAsync(async (c, tx) =>
                {
                    await BulkInsert.RunAsync(c, tx, "dids", ["scope", "name", "type", "account", "bytes", "adler32", "is_open", "created_at", "updated_at"],
                        names.Select((n, i) => new object?[] { "bench", n, 0L, "root", 1000L + first + i, "00000001", 0L, now, now }));
                    await BulkInsert.RunAsync(c, tx, "replicas", ["scope", "name", "rse_id", "state", "bytes", "path", "lock_cnt", "created_at", "updated_at"],
                        names.Select((n, i) => new object?[] { "bench", n, srcId, 0L, 1000L + first + i, Ferry.Core.Paths.Lfn2Pfn.Hash("bench", n), 0L, now, now }));
                    return 0;
                });
            }
            var seconds = sw.Elapsed.TotalSeconds;
            var (bench, postgres) = ProcessCpu.Snapshot() - cpu0;
            Console.WriteLine($"  floor: the same {files:N0} DIDs and replicas by bare COPY, batches of {perBatch}: {seconds:F1} s " +
                $"(cpu {bench:F1} s here + {postgres:F1} s postgres)");
        }
        finally
        {
            await DropSchemaAsync(db, schema);
        }
    }

    private static async Task DropSchemaAsync(PostgresCatalogDatabase db, string schema)
    {
        await using (var c = await db.OpenAsync())
        await using (var drop = c.Inner.CreateCommand())
        {
            drop.CommandText = $"DROP SCHEMA {schema} CASCADE";
            await drop.ExecuteNonQueryAsync();
        }
        db.Dispose();
    }

    /// <summary>
    /// Queues TRANSFERS requests to NOOP (rules on datasets of 100 fresh files) and drains them with WORKERS concurrent
    /// claim/complete loops, as conveyors on a no-op storage would: the catalogue's ceiling for transfers.
    /// </summary>
    private static async Task TransfersAsync(ICatalogDatabase db, DidCatalog dids, ReplicaCatalog replicas, RuleCatalog rules, TimeProvider clock, int workers, int count, string srcId)
    {
        var stem = $"t{workers}";
        for (var d = 0; d * 100 < count; d++)
        {
            var ds = $"{stem}_ds_{d:D4}";
            await dids.AddCollectionAsync("bench", ds, DidType.Dataset, "root", null, null);
            var batch = Enumerable.Range(0, 100).Select(i => new ReplicaFileSpec("bench", $"{ds}_f{i:D3}", 100, "00000001", null, null, ReplicaState.Available)).ToList();
            await replicas.AddAsync("SRC", batch, "root", true);
            await dids.AttachAsync("bench", ds, batch.Select(f => new ChildSpec("bench", f.Name)).ToList());
            await rules.AddAsync(new RuleSpec { Dids = [("bench", ds)], Account = "root", Copies = 1, RseExpression = "NOOP" });
        }
        var queue = new TransferCatalog(db, clock, Random.Shared);
        var done = 0;
        var cpu0 = ProcessCpu.Snapshot();
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var owner = $"bench:{w}:{Guid.NewGuid():N}";
            while (true)
            {
                var claimed = await queue.ClaimAsync(owner, 8);
                if (claimed.Count == 0) break;
                foreach (var r in claimed)
                    if (await queue.CompleteAsync(r, srcId)) Interlocked.Increment(ref done);
            }
        })));
        var seconds = sw.Elapsed.TotalSeconds;
        var (bench, postgres) = ProcessCpu.Snapshot() - cpu0;
        // The ceiling on this machine: the CPU one transfer costs (this process and every PostgreSQL backend) into the cores.
        var perTransfer = (bench + postgres) / Math.Max(1, done);
        Console.WriteLine($"transfers with {workers} worker(s): {done:N0} in {seconds:F1} s = {done / seconds:F0}/s; " +
            $"cpu {bench:F1} s here + {postgres:F1} s postgres = {(bench + postgres) / seconds:F2} of {Environment.ProcessorCount} cores busy, " +
            $"{perTransfer * 1000:F2} ms per transfer, ceiling {Environment.ProcessorCount / perTransfer:F0}/s");
    }
}
