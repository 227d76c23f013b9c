using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;
using Ferry.Testing;

namespace Ferry.Functional.Tests.Sync;

/// <summary>
/// `ferry rse check`: dark, lost and corrupt files planted on a posix RSE and on a WebDAV RSE (nginx) are found;
/// --fix deletes the dark ones and has the lost and corrupt ones copied again from another replica; nothing else moves.
/// </summary>
public sealed class ConsistencyTests
{
    [SkippableFact]
    public async Task Dark_lost_and_corrupt_files_on_posix_and_webdav_are_found_and_fixed_and_nothing_else_is_touched()
    {
        StorageServices.Require();
        await using var server = await FerryServer.StartAsync(environment: new Dictionary<string, string> { ["FERRY_STUCK_RETRY_SECONDS"] = "3" });
        using var api = new RawApi(server);
        var good = await Site.AddPosixRseAsync(api, "CHK-GOOD");
        var posix = await Site.AddPosixRseAsync(api, "CHK-POSIX");
        var dav = await StorageSites.AddAsync(server, api, "CHK-DAV", "http");
        var files = Site.MakeFiles("user.root", "chk", 6, i => 3000 + i);
        await Site.UploadAsync(api, "CHK-GOOD", good, "chk_ds", files);
        foreach (var rse in new[] { "CHK-POSIX", "CHK-DAV" })
            await Site.WaitForRuleAsync(api, await Site.AddRuleAsync(api, "user.root", "chk_ds", rse), "OK", TimeSpan.FromSeconds(60));
        var posixBefore = Site.Snapshot(posix);
        var davBefore = await DavSnapshot(dav);

        // posix: an old dark file, a fresh one (an upload in flight, within the grace), a lost file, a corrupt one.
        var oldDark = Path.Combine(posix, "user/root/aa/bb/forgotten.dat");
        Directory.CreateDirectory(Path.GetDirectoryName(oldDark)!);
        await File.WriteAllBytesAsync(oldDark, new byte[500]);
        File.SetLastWriteTimeUtc(oldDark, DateTime.UtcNow.AddDays(-3));
        var freshDark = Path.Combine(posix, "user/root/cc/dd/in-flight.dat");
        Directory.CreateDirectory(Path.GetDirectoryName(freshDark)!);
        await File.WriteAllBytesAsync(freshDark, new byte[300]);
        File.Delete(Path.Combine(posix, files[0].HashPath));
        var corrupt = Path.Combine(posix, files[1].HashPath);
        var wrong = files[1].Content.ToArray();
        wrong[10] ^= 0xff;
        await File.WriteAllBytesAsync(corrupt, wrong);
        // WebDAV: a dark file and a lost one.
        var backend = StorageSites.Backend(dav);
        await backend.WriteAsync(dav.Pfn("user/root/ee/ff/stray.dat"), new MemoryStream(new byte[700]), 700, CancellationToken.None);
        await backend.DeleteAsync(dav.Pfn(files[2].HashPath), CancellationToken.None);

        using (var report = await CheckAsync(server, 1, "CHK-POSIX", "--grace", "1h"))
        {
            Assert.Equal(["user/root/aa/bb/forgotten.dat"], Paths(report, "dark"));
            Assert.Equal(1, report.RootElement.GetProperty("young_dark").GetInt32());
            Assert.Equal([files[0].HashPath], Paths(report, "lost"));
            Assert.Equal([files[1].HashPath], Paths(report, "mismatched"));
        }
        Assert.True(File.Exists(oldDark), "a check without --fix changes nothing");
        using (var report = await CheckAsync(server, 1, "CHK-DAV", "--grace", "0s"))
        {
            Assert.Equal(["user/root/ee/ff/stray.dat"], Paths(report, "dark"));
            Assert.Equal([files[2].HashPath], Paths(report, "lost"));
        }

        // Problems found and fixed still exit 1, as rclone check does: a cron job learns that something was wrong.
        var fixedPosix = await SyncSourceFixture.RunAsync(server, "rse", "check", "CHK-POSIX", "--grace", "1h", "--fix");
        Assert.True(fixedPosix.ExitCode == 1, fixedPosix.Stderr);
        Assert.Contains("fixed: 1 dark file(s) deleted, 2 replica(s) declared BAD", fixedPosix.Stdout);
        Assert.Equal(1, (await SyncSourceFixture.RunAsync(server, "rse", "check", "CHK-DAV", "--grace", "0s", "--fix")).ExitCode);
        Assert.False(File.Exists(oldDark));
        Assert.True(File.Exists(freshDark), "a file within the grace period stays");
        File.Delete(freshDark);
        await Site.WaitUntilAsync(() => Task.FromResult(Same(posixBefore, Site.Snapshot(posix))), TimeSpan.FromSeconds(60), "posix to be repaired");
        await Site.WaitUntilAsync(async () => Same(davBefore, await DavSnapshot(dav)), TimeSpan.FromSeconds(60), "WebDAV to be repaired");
        Assert.Equal(Site.Sha(files[2].Content), Site.Sha(await StorageSites.ReadAsync(dav, files[2].HashPath)));
        Assert.Equal(6, Site.Snapshot(good).Count);

        using var clean = await CheckAsync(server, 0, "CHK-POSIX", "--grace", "0s");
        Assert.Empty(Paths(clean, "dark"));
        Assert.Empty(Paths(clean, "lost"));
        Assert.Empty(Paths(clean, "mismatched"));
    }

    [Fact]
    public async Task A_storage_dump_names_dark_files_and_a_garbled_one_is_refused_by_line()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var prefix = await Site.AddPosixRseAsync(api, "CHK-DUMP");
        var files = Site.MakeFiles("user.root", "chkdump", 3, _ => 1000);
        await Site.UploadAsync(api, "CHK-DUMP", prefix, "chkdump_ds", files);
        var dark = Path.Combine(prefix, "user/root/00/11/unknown.dat");
        Directory.CreateDirectory(Path.GetDirectoryName(dark)!);
        await File.WriteAllBytesAsync(dark, new byte[10]);

        // The dump as a storage lister writes it: absolute paths, a PFN, a relative path, a size column.
        var dump = Path.Combine(server.Home, "dump.txt");
        await File.WriteAllLinesAsync(dump, [
            Path.Combine(prefix, files[0].HashPath), $"file://localhost{Path.Combine(prefix, files[1].HashPath)}", files[2].HashPath + "\t1000",
            "user/root/00/11/unknown.dat", "user/root/gone/already.dat",
        ]);
        using (var report = await CheckAsync(server, 1, "CHK-DUMP", "--dump", dump, "--grace", "0s"))
        {
            Assert.Equal("dump", report.RootElement.GetProperty("source").GetString());
            Assert.Equal(["user/root/00/11/unknown.dat"], Paths(report, "dark"));      // the file the dump names that no longer exists is not dark
            Assert.Empty(Paths(report, "lost"));
        }

        await File.WriteAllLinesAsync(dump, ["user/root/ok.dat", "/elsewhere/x.dat", "user/../../etc/passwd"]);
        var garbled = await SyncSourceFixture.RunAsync(server, "rse", "check", "CHK-DUMP", "--dump", dump, "--fix");
        Assert.Equal(2, garbled.ExitCode);
        Assert.Contains("line 2: '/elsewhere/x.dat' is not under the RSE's prefix", garbled.Stderr);
        Assert.Contains("line 3: contains a '.' or '..' segment", garbled.Stderr);
        Assert.True(File.Exists(dark), "a refused dump changes nothing");
    }

    [Fact]
    public async Task The_exit_code_tells_clean_from_problems_found_from_a_check_that_could_not_run()
    {
        await using var server = await FerryServer.StartAsync();
        using var api = new RawApi(server);
        var prefix = await Site.AddPosixRseAsync(api, "CHK-EXIT");
        await Site.UploadAsync(api, "CHK-EXIT", prefix, "chkexit_ds", Site.MakeFiles("user.root", "chkexit", 2, _ => 2000));
        foreach (var json in new[] { false, true })
            Assert.Equal(0, (await Check(json)).ExitCode);

        var dark = Path.Combine(prefix, "user/root/0a/0b/stray.dat");
        Directory.CreateDirectory(Path.GetDirectoryName(dark)!);
        await File.WriteAllBytesAsync(dark, new byte[40]);
        foreach (var json in new[] { false, true })
        {
            var found = await Check(json);
            Assert.True(found.ExitCode == 1, $"exit {found.ExitCode}\n{found.Stdout}\n{found.Stderr}");
            Assert.Contains("stray.dat", found.Stdout);
        }
        Assert.True(File.Exists(dark), "a check without --fix changes nothing");
        var fixedRun = await Check(false, "--fix");
        Assert.True(fixedRun.ExitCode == 1, $"exit {fixedRun.ExitCode}\n{fixedRun.Stdout}\n{fixedRun.Stderr}");
        Assert.Contains("fixed: 1 dark file(s) deleted", fixedRun.Stdout);
        Assert.False(File.Exists(dark));
        Assert.Equal(0, (await Check(true, "--fix")).ExitCode);

        // Usage errors and a check that could not run at all are 2, never confused with "problems found".
        var unknown = await SyncSourceFixture.RunAsync(server, "rse", "check", "CHK-NOSUCH");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("CHK-NOSUCH", unknown.Stderr);
        Assert.Equal(2, (await Check(false, "--sample", "-1")).ExitCode);
        Assert.Equal(2, (await Check(false, "--grace", "soon")).ExitCode);

        Task<CliResult> Check(bool json, params string[] more) =>
            SyncSourceFixture.RunAsync(server, ["rse", "check", "CHK-EXIT", "--grace", "0s", .. json ? new[] { "--json" } : [], .. more]);
    }

    private static async Task<JsonDocument> CheckAsync(FerryServer server, int exitCode, string rse, params string[] options)
    {
        var r = await SyncSourceFixture.RunAsync(server, ["rse", "check", rse, "--json", .. options]);
        Assert.True(r.ExitCode == exitCode, $"exit {r.ExitCode}, expected {exitCode}\n{r.Stdout}\n{r.Stderr}");
        return JsonDocument.Parse(r.Stdout);
    }

    private static List<string> Paths(JsonDocument report, string key) =>
        report.RootElement.GetProperty(key).EnumerateArray().Select(f => f.GetProperty("path").GetString()!).ToList();

    private static bool Same(Dictionary<string, string> a, Dictionary<string, string> b) => a.Count == b.Count && a.All(kv => b.GetValueOrDefault(kv.Key) == kv.Value);

    private static async Task<Dictionary<string, string>> DavSnapshot(TestStorage dav)
    {
        var backend = StorageSites.Backend(dav);
        var result = new Dictionary<string, string>();
        await foreach (var pfn in backend.ListAsync(dav.Pfn(""), CancellationToken.None))
            result[pfn] = Site.Sha(await StorageSites.ReadAsync(dav, pfn[dav.Pfn("").Length..]));
        return result;
    }
}
