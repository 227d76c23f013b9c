using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Cli;

/// <summary>The command-line contract scripts rely on: exit codes 0/1/2, one line on stderr per error, --json.</summary>
public sealed class ContractTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("rule", "add", "no-scope", "--rse-expr", "LOCAL")]
    [InlineData("rule", "add", "user.root:x")]
    [InlineData("rule", "add", "user.root:x", "--rse-expr", "LOCAL", "--lifetime", "5y")]
    [InlineData("upload", "/no/such/path", "--rse", "LOCAL", "--scope", "user.root")]
    [InlineData("did", "list", "noscope")]
    [InlineData("frobnicate")]
    public async Task Usage_errors_exit_2_with_one_line(params string[] args)
    {
        var r = await Infrastructure.Cli.RunAsync(f.Server, args);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith("ferry: ", r.Stderr);
    }

    [Fact]
    public async Task Server_errors_exit_1_with_the_rucio_class()
    {
        var r = await Infrastructure.Cli.RunAsync(f.Server, "rule", "add", "user.root:does_not_exist", "--rse-expr", "LOCAL");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("ferry: DataIdentifierNotFound: Data identifier 'user.root:does_not_exist' not found", r.Stderr.Trim());
        var bad = await Infrastructure.Cli.RunAsync(f.Server, "rse", "list", "--expression", "LOCAL|");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("InvalidRSEExpression", bad.Stderr);
    }

    [Fact]
    public async Task An_unreachable_server_is_one_clear_line()
    {
        var r = await Infrastructure.Cli.RunAsync(["whoami"], f.Server.Home, new Dictionary<string, string>
            { ["FERRY_URL"] = $"http://127.0.0.1:{FerryServer.FreePort()}", ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = "x" });
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("cannot reach the server", r.Stderr);
    }

    [Fact]
    public async Task Listings_print_json_arrays_and_show_prints_objects()
    {
        var scopes = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "scope", "list", "--json")).RootElement;
        Assert.Equal(JsonValueKind.Array, scopes.ValueKind);
        Assert.Contains(scopes.EnumerateArray(), s => s.GetProperty("scope").GetString() == "user.root");
        await Infrastructure.Cli.OkAsync(f.Server, "did", "add", "user.root:contract_ds");
        var did = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "did", "show", "user.root:contract_ds", "--json")).RootElement;
        Assert.Equal("DATASET", did.GetProperty("type").GetString());
        var list = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "did", "list", "user.root:contract*", "--json")).RootElement;
        Assert.Single(list.EnumerateArray());
    }

    [Fact]
    public async Task Rule_delete_now_removes_at_once_and_plain_delete_schedules()
    {
        await Infrastructure.Cli.OkAsync(f.Server, "did", "add", "user.root:del_ds");
        var id = (await Infrastructure.Cli.OkAsync(f.Server, "rule", "add", "user.root:del_ds", "--rse-expr", "LOCAL")).Trim();
        await Infrastructure.Cli.OkAsync(f.Server, "rule", "delete", id);
        var rule = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "rule", "show", id, "--json")).RootElement;
        Assert.NotEqual(JsonValueKind.Null, rule.GetProperty("expires_at").ValueKind);
        await Infrastructure.Cli.OkAsync(f.Server, "rule", "delete", id, "--now");
        var gone = await Infrastructure.Cli.RunAsync(f.Server, "rule", "show", id);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("RuleNotFound", gone.Stderr);
    }

    [Fact]
    public async Task Account_identity_password_comes_from_stdin_not_argv()
    {
        await Infrastructure.Cli.OkAsync(f.Server, "account", "add", "dave");
        var psi = Infrastructure.Cli.StartInfo(["account", "identity", "add", "dave"], f.Server.Home, new Dictionary<string, string>
            { ["FERRY_URL"] = f.Server.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_PASSWORD"] = FerryServer.RootPassword });
        using var p = System.Diagnostics.Process.Start(psi)!;
        await p.StandardInput.WriteLineAsync("dave-secret");
        p.StandardInput.Close();
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
        var who = await Infrastructure.Cli.RunAsync(["whoami", "--json"], f.Server.Home, new Dictionary<string, string>
            { ["FERRY_URL"] = f.Server.Url, ["FERRY_ACCOUNT"] = "dave", ["FERRY_PASSWORD"] = "dave-secret" });
        Assert.Equal("dave", JsonDocument.Parse(who.Stdout).RootElement.GetProperty("account").GetString());
    }

    [Fact]
    public async Task Rule_fields_round_trip_through_the_cli_and_a_rule_can_be_suspended()
    {
        await Infrastructure.Cli.OkAsync(f.Server, "did", "add", "user.root:fields_ds");
        await Infrastructure.Cli.OkAsync(f.Server, "rse", "set-attr", "LOCAL", "fieldweight", "3");
        var id = (await Infrastructure.Cli.OkAsync(f.Server, "rule", "add", "user.root:fields_ds", "--rse-expr", "LOCAL", "--weight", "fieldweight",
            "--source-expr", "LOCAL", "--activity", "Data Rebalancing", "--comment", "why not", "--lifetime", "2d", "--grouping", "ALL")).Trim();
        var rule = JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "rule", "show", id, "--json")).RootElement;
        Assert.Equal("fieldweight", rule.GetProperty("weight").GetString());
        Assert.Equal("LOCAL", rule.GetProperty("source_replica_expression").GetString());
        Assert.Equal("Data Rebalancing", rule.GetProperty("activity").GetString());
        Assert.Equal("why not", rule.GetProperty("comments").GetString());
        Assert.Equal("ALL", rule.GetProperty("grouping").GetString());

        await Infrastructure.Cli.OkAsync(f.Server, "rule", "update", id, "--state", "SUSPENDED");
        Assert.Equal("SUSPENDED", JsonDocument.Parse(await Infrastructure.Cli.OkAsync(f.Server, "rule", "show", id, "--json")).RootElement.GetProperty("state").GetString());
        using var bad = await f.Api.SendAsync("PUT", $"/rules/{id}", """{"options":{"state":"OK"}}""");
        await RawApi.AssertError(bad, 409, "UnsupportedOperation");
        using var unknown = await f.Api.SendAsync("PUT", $"/rules/{id}", """{"options":{"colour":"blue"}}""");
        await RawApi.AssertError(unknown, 409, "InputValidationError");
        var badActivity = await Infrastructure.Cli.RunAsync(f.Server, "rule", "add", "user.root:fields_ds", "--rse-expr", "LOCAL", "--activity", "Nonsense");
        Assert.Equal(1, badActivity.ExitCode);
        Assert.Contains("activity", badActivity.Stderr);
    }
}
