using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Store;

/// <summary>`ferry db status`, `ferry db migrate` and `ferry db copy --to postgres://…` on real catalogues.</summary>
public sealed class DbCommandTests
{
    private static Dictionary<string, string> Env(string? database) => database is null ? [] : new() { ["FERRY_DATABASE"] = database };

    [PostgresFact]
    public async Task Status_and_migrate_bring_a_new_postgres_catalogue_to_the_latest_version()
    {
        var home = TempDirs.Create("db");
        var url = TestStore.NewSchemaUrl();
        var latest = Ferry.Catalog.Db.Migrations.All.Max(m => m.Version);
        var status = await Infrastructure.Cli.RunAsync(["db", "status", "--json"], home, Env(url));
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Contains("\"version\":0", status.Stdout);
        Assert.Contains($"\"latest\":{latest}", status.Stdout);
        Assert.DoesNotContain("ferrypw", status.Stdout);

        var migrate = await Infrastructure.Cli.RunAsync(["db", "migrate"], home, Env(url));
        Assert.True(migrate.ExitCode == 0, migrate.Stderr);
        Assert.Contains("applied migration(s) 1, 2", migrate.Stdout);
        Assert.Contains($"now at version {latest}", migrate.Stdout);

        var again = await Infrastructure.Cli.RunAsync(["db", "migrate"], home, Env(url));
        Assert.Contains("is up to date", again.Stdout);
        status = await Infrastructure.Cli.RunAsync(["db", "status", "--json"], home, Env(url));
        Assert.Contains($"\"version\":{latest}", status.Stdout);
        Assert.Contains("\"pending\":0", status.Stdout);
    }

    [Fact]
    public async Task A_malformed_database_location_is_a_usage_error()
    {
        var home = TempDirs.Create("db");
        var r = await Infrastructure.Cli.RunAsync(["db", "status"], home, Env("mysql://x@y/z"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("neither a postgres:// URL", r.Stderr);
        r = await Infrastructure.Cli.RunAsync(["db", "copy", "--to", "/tmp/nowhere.db"], home);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--to takes a postgres:// URL", r.Stderr);
    }

    [PostgresFact]
    public async Task Copy_moves_an_embedded_catalogue_into_postgres_and_a_server_carries_on_from_it()
    {
        var server = await FerryServer.StartAsync(database: "sqlite");
        string ruleId, a;
        List<TestFile> files;
        using (var api = new RawApi(server))
        {
            a = await Site.AddPosixRseAsync(api, "COPY-A");
            var b = await Site.AddPosixRseAsync(api, "COPY-B");
            files = Site.MakeFiles("user.root", "copy", 25, i => 1000 + i);
            await Site.UploadAsync(api, "COPY-A", a, "copy_ds", files);
            ruleId = await Site.AddRuleAsync(api, "user.root", "copy_ds", "COPY-B");
            await Site.WaitForRuleAsync(api, ruleId, "OK", TimeSpan.FromSeconds(120));
        }
        await server.DisposeAsync();

        var url = TestStore.NewSchemaUrl();
        var copy = await Infrastructure.Cli.RunAsync(["db", "copy", "--to", url], server.Home);
        Assert.True(copy.ExitCode == 0, copy.Stdout + copy.Stderr);
        Assert.Matches(@"replicas\s+50\b", copy.Stdout);
        Assert.Matches(@"locks\s+25\b", copy.Stdout);

        // A second copy into the now filled catalogue is refused and changes nothing.
        var twice = await Infrastructure.Cli.RunAsync(["db", "copy", "--to", url], server.Home);
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("not empty", twice.Stderr);

        await using var moved = server.WithDatabase(url);
        await moved.StartProcessAsync();
        Assert.Contains("catalogue postgres://", moved.Log);
        using var api2 = new RawApi(moved);
        var rule = await api2.JsonAsync("GET", $"/rules/{ruleId}");
        Assert.Equal("OK", rule.GetProperty("state").GetString());
        Assert.Equal(25, rule.GetProperty("locks_ok_cnt").GetInt32());
        var onB = await api2.StreamAsync("POST", "/replicas/list", """{"dids":[{"scope":"user.root","name":"copy_ds"}],"rse_expression":"COPY-B"}""");
        Assert.Equal(25, onB.Count);
        // It keeps working: a new file and a new rule on the PostgreSQL catalogue.
        var more = Site.MakeFiles("user.root", "copy_more", 3, _ => 500);
        await Site.UploadAsync(api2, "COPY-A", a, "copy_more_ds", more);
        var id2 = await Site.AddRuleAsync(api2, "user.root", "copy_more_ds", "COPY-B");
        Assert.NotEqual(ruleId, id2);
        await Site.WaitForRuleAsync(api2, id2, "OK", TimeSpan.FromSeconds(120));
    }
}
