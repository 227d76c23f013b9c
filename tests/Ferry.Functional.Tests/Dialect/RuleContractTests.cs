using Ferry.Core.Dialect;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>Every rule answer is exactly a <see cref="RucioRule"/>: single rules without "bytes", listings with it.</summary>
public sealed class RuleContractTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Rule_answers_are_RucioRule_records()
    {
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/dids/user.root/contract_rules", """{"type":"DATASET"}""")).StatusCode);
        var id = await Site.AddRuleAsync(f.Api, "user.root", "contract_rules", "LOCAL");

        var one = Contract.Holds<RucioRule>(await f.Api.JsonAsync("GET", $"/rules/{id}"), "GET /rules/{id}");
        Assert.Null(one.Bytes);
        Assert.Equal(("user.root", "contract_rules", "DATASET"), (one.Scope, one.Name, one.DidType));

        var listed = Contract.HoldEach<RucioRule>(await f.Api.StreamAsync("GET", "/rules/?account=root"), "GET /rules/");
        Assert.Contains(listed, r => r.Id == id && r.Bytes == 0);
        var onDid = Contract.HoldEach<RucioRule>(await f.Api.StreamAsync("GET", "/dids/user.root/contract_rules/rules"), "GET /dids/{did}/rules");
        Assert.Equal([id], onDid.Select(r => r.Id));
        Assert.Equal(one.CreatedAt, onDid[0].CreatedAt);
    }
}
