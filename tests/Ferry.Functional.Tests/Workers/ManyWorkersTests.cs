using System.Text.RegularExpressions;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Workers;

/// <summary>
/// The engine split over processes on one PostgreSQL catalogue: an API-only server, a judge worker and four conveyor
/// workers. Every transfer is done exactly once, and the leases of a worker killed mid-run are taken over by the
/// others once they run out.
/// </summary>
public sealed partial class ManyWorkersTests
{
    private const int Files = 120;
    private const int LeaseSeconds = 6;

    [PostgresFact]
    public async Task Four_conveyors_do_every_transfer_once_and_take_over_a_killed_ones_leases()
    {
        var env = new Dictionary<string, string>
        {
            ["FERRY_TRANSFER_LEASE_SECONDS"] = LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FERRY_CONVEYOR_PARALLELISM"] = "2",
        };
        await using var server = await FerryServer.StartAsync(environment: env, database: TestStore.NewSchemaUrl(), arguments: ["--no-daemons"]);
        using var api = new RawApi(server);
        var a = await Site.AddPosixRseAsync(api, "WORK-A");
        var b = await Site.AddPosixRseAsync(api, "WORK-B");
        var files = Site.MakeFiles("user.root", "work", Files, i => 200_000 + i);
        await Site.UploadAsync(api, "WORK-A", a, "work_ds", files);

        await using var judge = FerryWorker.Start(server, "judge,reaper");
        var conveyors = new List<FerryWorker>();
        try
        {
            for (var i = 0; i < 4; i++) conveyors.Add(FerryWorker.Start(server, "conveyor"));
            foreach (var w in conveyors.Append(judge)) await w.WaitStartedAsync(TimeSpan.FromSeconds(120));
            // No conveyor ran yet: the API-only server moved nothing.
            Assert.Empty(Site.Snapshot(b));

            var id = await Site.AddRuleAsync(api, "user.root", "work_ds", "WORK-B");
            var victim = conveyors[0];
            // Killed while it holds claims, seen in the catalogue: waiting for its first logged transfer instead let it,
            // on a fast or busy machine, finish its last batch after the queue ran dry, and nothing was left to take over.
            await using var db = CatalogConnection.Open(server, readOnly: true);
            var deadline = DateTime.UtcNow.AddSeconds(180);
            while (await HeldBy(db, victim) < 3 && TotalDone(conveyors) < Files && DateTime.UtcNow < deadline) await Task.Delay(10);
            var doneBeforeKill = TotalDone(conveyors);
            victim.Kill();
            var killedAt = DateTime.UtcNow;
            Assert.True(doneBeforeKill < Files, $"all {Files} transfers were done before the kill: the test proves nothing; make them slower");
            Assert.True(await HeldBy(db, victim) > 0, "the killed conveyor held no claim: nothing to take over");

            var rule = await Site.WaitForRuleAsync(api, id, "OK", TimeSpan.FromSeconds(240));
            Assert.Equal(Files, rule.GetProperty("locks_ok_cnt").GetInt32());

            // Exactly once: every file was completed by one conveyor, none twice.
            var all = conveyors.SelectMany(w => Transferred(w.Log)).ToList();
            var twice = all.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, $"transferred more than once: {string.Join(", ", twice)}");
            // Every logged transfer is one of the rule's files. The killed conveyor may have committed a completion and died
            // before its log line (at most its 2 parallel transfers): such a file is unlogged, yet copied once, as the rule's
            // OK count and the byte check below show.
            var expected = files.Select(x => $"user.root:{x.Name}").ToHashSet();
            Assert.Subset(expected, all.ToHashSet());
            var unlogged = expected.Except(all).ToList();
            Assert.True(unlogged.Count <= 2, $"{unlogged.Count} files were transferred by no conveyor's log: {string.Join(", ", unlogged)}");
            foreach (var file in files)
                Assert.Equal(Site.Sha(file.Content), Site.Sha(await File.ReadAllBytesAsync(Path.Combine(b, file.HashPath))));

            // The killed conveyor held claims; a survivor took them over after the lease ran out, within one lease time
            // (plus the survivors' idle interval and this machine's scheduling delays).
            var takeovers = conveyors.Skip(1).Select(w => TakeOverTime(w.Log)).Where(t => t is not null).Select(t => t!.Value).ToList();
            Assert.True(takeovers.Count > 0, "no surviving conveyor took over the killed one's leases:\n" + string.Join("\n---\n", conveyors.Skip(1).Select(w => w.Log)));
            var delay = takeovers.Min() - killedAt.TimeOfDay;
            Assert.True(delay < TimeSpan.FromSeconds(LeaseSeconds + 10), $"leases were taken over {delay.TotalSeconds:F1} s after the kill; the lease is {LeaseSeconds} s");
            Assert.True(conveyors.Skip(1).All(w => !w.HasExited), "a surviving conveyor exited");
        }
        finally
        {
            foreach (var w in conveyors) await w.DisposeAsync();
        }
    }

    /// <summary>Transfers a conveyor has claimed and not finished (its lease owner is "machine:pid:…", the pid it logs).</summary>
    private static async Task<long> HeldBy(System.Data.Common.DbConnection db, FerryWorker w)
    {
        var pid = WorkerPid().Match(w.Log).Groups[1].Value;
        await using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM requests WHERE state = 1 AND lease_owner LIKE '%:{pid}:%'";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int TotalDone(IEnumerable<FerryWorker> workers) => workers.Sum(w => Transferred(w.Log).Count);

    private static List<string> Transferred(string log) => TransferredLine().Matches(log).Select(m => m.Groups[1].Value).ToList();

    // Log lines start with the local time "HH:mm:ss "; the test runs on the same machine.
    private static TimeSpan? TakeOverTime(string log)
    {
        var m = TakeOverLine().Match(log);
        if (!m.Success) return null;
        return DateTime.ParseExact(m.Groups[1].Value, "HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime().TimeOfDay;
    }

    [GeneratedRegex(@"Ferry worker (\d+) running")]
    private static partial Regex WorkerPid();

    [GeneratedRegex(@"Transferred (\S+:\S+) from ")]
    private static partial Regex TransferredLine();

    [GeneratedRegex(@"(?m)^(\d\d:\d\d:\d\d) .*Took over \d+ transfer")]
    private static partial Regex TakeOverLine();
}
