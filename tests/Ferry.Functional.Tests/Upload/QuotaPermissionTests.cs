using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>Permanent failures fail the files concerned with a clear reason, the run goes on, the exit code is 1.</summary>
public sealed class QuotaPermissionTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private async Task<Dictionary<string, string>> UserAsync(string account)
    {
        await f.Api.SendAsync("POST", $"/accounts/{account}", """{"type":"USER"}""");
        await f.Api.SendAsync("POST", $"/accounts/{account}/identities", $$"""{"identity":"{{account}}","authtype":"USERPASS","password":"pw"}""");
        await f.Api.SendAsync("POST", $"/accounts/{account}/scopes/user.{account}");
        return new Dictionary<string, string> { ["FERRY_URL"] = f.Server.Url, ["FERRY_ACCOUNT"] = account, ["FERRY_PASSWORD"] = "pw" };
    }

    [Fact]
    public async Task Files_beyond_the_quota_fail_one_by_one_and_the_rest_are_uploaded()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "UPQ-DISK");
        var env = await UserAsync("upquota");
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/upquota/limits/local/UPQ-DISK", """{"bytes":250000}""")).StatusCode);
        var tree = UploadTree.Make(5, awkward: false, size: _ => 100_000);
        var summary = Path.Combine(TempDirs.Create("quota"), "summary.json");
        var r = await Infrastructure.Cli.RunAsync(["upload", tree.Root, "-r", "--rse", "UPQ-DISK", "--scope", "user.upquota", "--summary", summary], f.Server.Home, env);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("2 uploaded, 0 already present, 3 failed", r.Stdout);
        Assert.Contains("failed: 3 quota exceeded", r.Stderr);
        var doc = UploadTree.ReadSummary(summary);
        Assert.Equal(3, doc.GetProperty("totals").GetProperty("failed_by_kind").GetProperty("QUOTA_EXCEEDED").GetInt32());
        Assert.All(doc.GetProperty("files").EnumerateArray().Where(x => x.GetProperty("status").GetString() == "FAILED"),
            x => Assert.Contains("InsufficientAccountLimit", x.GetProperty("error").GetString()));
        Assert.Equal(2, UploadTree.OnDisk(prefix).Count);
        var usage = (await f.Api.StreamAsync("GET", "/accounts/upquota/usage/local")).Single(u => u.GetProperty("rse").GetString() == "UPQ-DISK");
        Assert.Equal(200_000, usage.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task A_scope_of_another_account_fails_every_file_as_permission_denied()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "UPP-DISK");
        var env = await UserAsync("upperm");
        await f.Api.SendAsync("POST", "/accounts/upperm/limits/local/UPP-DISK", """{"bytes":-1}""");
        var tree = UploadTree.Make(7, awkward: false);
        var summary = Path.Combine(TempDirs.Create("perm"), "summary.json");
        var r = await Infrastructure.Cli.RunAsync(["upload", tree.Root, "-r", "--rse", "UPP-DISK", "--scope", "user.root", "--summary", summary], f.Server.Home, env);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("0 uploaded, 0 already present, 7 failed", r.Stdout);
        Assert.Contains("failed: 7 permission denied", r.Stderr);
        Assert.Contains("can not write in scope user.root", r.Stderr);
        Assert.Equal(7, UploadTree.ReadSummary(summary).GetProperty("totals").GetProperty("failed_by_kind").GetProperty("PERMISSION_DENIED").GetInt32());
        Assert.Empty(UploadTree.OnDisk(prefix));
    }
}
