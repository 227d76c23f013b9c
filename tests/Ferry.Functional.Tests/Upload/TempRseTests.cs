using System.Text.Json;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Upload;

/// <summary>--temp-rse: the bytes land on the temporary RSE, a rule brings them to --rse, the temporary copy's rule expires.</summary>
public sealed class TempRseTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Upload_to_a_temporary_rse_then_a_rule_moves_the_files_to_the_final_one()
    {
        var temp = await Site.AddPosixRseAsync(f.Api, "UPT-TEMP");
        var final = await Site.AddPosixRseAsync(f.Api, "UPT-FINAL");
        var tree = UploadTree.Make(25, awkward: false, seed: 9);
        var r = await tree.UploadAsync(f.Server, "-r", "--rse", "UPT-FINAL", "--temp-rse", "UPT-TEMP", "--temp-lifetime", "2h", "--scope", "user.root", "--dataset", "viatemp");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("25 uploaded", r.Stdout);
        Assert.Equal(25, UploadTree.OnDisk(temp).Count);

        var rules = await f.Api.StreamAsync("GET", "/dids/user.root/viatemp/rules");
        var finalRule = rules.Single(x => x.GetProperty("rse_expression").GetString() == "UPT-FINAL");
        var tempRule = rules.Single(x => x.GetProperty("rse_expression").GetString() == "UPT-TEMP");
        Assert.Equal(JsonValueKind.Null, finalRule.GetProperty("expires_at").ValueKind);
        Assert.Equal(JsonValueKind.String, tempRule.GetProperty("expires_at").ValueKind);
        await Site.WaitForRuleAsync(f.Api, finalRule.GetProperty("id").GetString()!, "OK", TimeSpan.FromSeconds(90));
        var expected = tree.Files.ToDictionary(x => x.Key, x => x.Value);
        await UploadTree.AssertRegisteredAsync(f.Api, "user.root", "viatemp", "UPT-FINAL", expected);
        Assert.Equal(25, UploadTree.OnDisk(final).Count);
    }
}
