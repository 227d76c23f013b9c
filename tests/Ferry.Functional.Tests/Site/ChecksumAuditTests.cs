using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.SitePolicies;

using Cli = Ferry.Functional.Tests.Infrastructure.Cli;

/// <summary>The checksum audit re-reads replicas at the configured rate; a corrupted copy is declared BAD and copied again.</summary>
public sealed class ChecksumAuditTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_corrupted_copy_is_found_declared_bad_and_recovered()
    {
        var a = await Site.AddPosixRseAsync(f.Api, "AUDIT-A");
        var b = await Site.AddPosixRseAsync(f.Api, "AUDIT-B");
        var files = Site.MakeFiles("user.root", "audit", 4, _ => 3000);
        await Site.UploadAsync(f.Api, "AUDIT-A", a, "audit_ds", files);
        var rule = await Site.AddRuleAsync(f.Api, "user.root", "audit_ds", "AUDIT-B");
        await Site.WaitForRuleAsync(f.Api, rule, "OK", TimeSpan.FromSeconds(30));
        var victim = Path.Combine(b, files[2].HashPath);
        var bytes = await File.ReadAllBytesAsync(victim);
        bytes[100] ^= 0xFF; // same size, different content
        await File.WriteAllBytesAsync(victim, bytes);

        var config = Path.Combine(TempDirs.Create("audit"), "site.json");
        await File.WriteAllTextAsync(config, """{"tasks":{"checksum-audit":{"rses":["AUDIT-B"],"files_per_round":2}}}""");
        // Two files per round: the first round reads two, the second the other two, which include the corrupt one.
        var first = await Cli.RunAsync(f.Server, "site", "run", "--config", config, "--once");
        Assert.True(first.ExitCode == 0, first.Stderr);
        var second = await Cli.RunAsync(f.Server, "site", "run", "--config", config, "--once");
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("AUDIT-B: 2 ok, 0 bad", first.Stderr + second.Stderr);
        Assert.Contains("AUDIT-B: 1 ok, 1 bad", first.Stderr + second.Stderr);

        await Site.WaitUntilAsync(async () => (await File.ReadAllBytesAsync(victim)).SequenceEqual(files[2].Content), TimeSpan.FromSeconds(60),
            "the BAD copy to be replaced by a good one");
        await Site.WaitForRuleAsync(f.Api, rule, "OK", TimeSpan.FromSeconds(30));
    }
}
