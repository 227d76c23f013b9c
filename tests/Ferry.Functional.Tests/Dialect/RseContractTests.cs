using System.Text.Json;
using Ferry.Core.Dialect;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// Every answer about RSEs is exactly its record: rows, expression names, RSE info (also under a protocol's scheme and in
/// /export), protocols, attributes, limits, distances and usage.
/// </summary>
public sealed class RseContractTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private const string Mock = """{"hostname":"mock.example","port":17,"prefix":"/the/files","impl":"rucio.rse.protocols.mock.Default","domains":{"lan":{"read":0},"wan":{"delete":0}},"extended_attributes":{"more":{"value1":1}}}""";

    [Fact]
    public async Task Rse_answers_are_their_records()
    {
        await Site.AddPosixRseAsync(f.Api, "CTR-A");
        await Site.AddPosixRseAsync(f.Api, "CTR-B");
        await Ok("PUT", "/rses/CTR-A", """{"city":"Geneva","ISP":"CERN","ASN":"513","longitude":6.05,"latitude":46.23,"qos_class":"SSD"}""");
        await Ok("POST", "/rses/CTR-A/protocols/mock", Mock);
        await Ok("POST", "/rses/CTR-A/attr/tier", """{"value":"1"}""");
        await Ok("POST", "/rses/CTR-A/attr/greedyDeletion", """{"value":true}""");
        await Ok("PUT", "/rses/CTR-A/limits", """{"name":"MinFreeSpace","value":1000}""");
        await Ok("POST", "/rses/CTR-A/distances/CTR-B", """{"distance":3}""");
        await Ok("PUT", "/rses/CTR-A/usage", """{"source":"https","used":900,"free":100,"files":null}""");

        var rows = Contract.HoldEach<RucioRse>(await f.Api.StreamAsync("GET", "/rses/"), "GET /rses/");
        Assert.Equal(("Geneva", "513", 7), rows.Single(r => r.Rse == "CTR-A") is var a ? (a.City, a.Asn, a.Availability) : default);
        var named = Contract.HoldEach<RucioRseName>(await f.Api.StreamAsync("GET", "/rses/?expression=CTR-A|CTR-B"), "GET /rses/?expression=");
        Assert.Equal(["CTR-A", "CTR-B"], named.Select(n => n.Rse).Order());

        var info = Contract.Holds<RucioRseInfo>(await f.Api.JsonAsync("GET", "/rses/CTR-A"), "GET /rses/{rse}");
        Assert.Null(info.Attributes);
        var mock = info.Protocols.Single(p => p.Scheme == "mock");
        Assert.Equal((0, null), (mock.Domains!["lan"]["read"], mock.Domains["lan"]["write"]));
        Assert.Equal(JsonValueKind.Object, mock.ExtendedAttributes!.Value.ValueKind);
        Assert.Null(info.Protocols.Single(p => p.Scheme == "file").ExtendedAttributes);
        Contract.Holds<RucioRseInfo>(await f.Api.JsonAsync("GET", "/rses/CTR-A/protocols/mock"), "GET /rses/{rse}/protocols/{scheme}");
        var protocols = Contract.Holds<List<RucioProtocol>>(await f.Api.JsonAsync("GET", "/rses/CTR-A/protocols"), "GET /rses/{rse}/protocols");
        Assert.Equal(info.Protocols, protocols, (x, y) => x.Scheme == y.Scheme && x.Port == y.Port);

        var attrs = Contract.Holds<Dictionary<string, JsonElement>>(await f.Api.JsonAsync("GET", "/rses/CTR-A/attr/"), "GET /rses/{rse}/attr/");
        Assert.Equal((JsonValueKind.True, "1"), (attrs["greedyDeletion"].ValueKind, attrs["tier"].GetString()));
        var limits = Contract.Holds<Dictionary<string, long>>(await f.Api.JsonAsync("GET", "/rses/CTR-A/limits"), "GET /rses/{rse}/limits");
        Assert.Equal(1000, limits["MinFreeSpace"]);
        var distance = Contract.Holds<List<RucioDistance>>(await f.Api.JsonAsync("GET", "/rses/CTR-A/distances/CTR-B"), "GET distances");
        Assert.Equal(("CTR-A", "CTR-B", 3, 3), Assert.Single(distance) is var d ? (d.SrcRse, d.DestRse, d.Distance, d.Ranking) : default);

        var usage = Contract.HoldEach<RucioRseUsage>(await f.Api.StreamAsync("GET", "/rses/CTR-A/usage"), "GET /rses/{rse}/usage");
        Assert.Equal((1000, null), usage.Single(u => u.Source == "https") is var h ? (h.Total, h.Files) : default);
        Assert.NotEmpty(Contract.HoldEach<RucioRseUsage>(await f.Api.StreamAsync("GET", "/rses/CTR-A/usage/history"), "GET usage history"));
        var accounts = Contract.HoldEach<RucioRseAccountUsage>(await f.Api.StreamAsync("GET", "/rses/CTR-A/accounts/usage"), "GET /rses/{rse}/accounts/usage");
        Assert.Contains(accounts, u => u.Account == "root");
    }

    [Fact]
    public async Task Export_is_RSE_info_with_attributes_and_bare_distances()
    {
        await Site.AddPosixRseAsync(f.Api, "CTR-X");
        await Site.AddPosixRseAsync(f.Api, "CTR-Y");
        await Ok("POST", "/rses/CTR-X/attr/site", """{"value":"here"}""");
        await Ok("POST", "/rses/CTR-X/distances/CTR-Y", """{"distance":5}""");

        var export = Contract.Holds<RucioExport>(await f.Api.JsonAsync("GET", "/export"), "GET /export");
        Assert.Equal("here", export.Rses["CTR-X"].Attributes!["site"].GetString());
        var cell = export.Distances!["CTR-X"]["CTR-Y"];
        Assert.Equal((5, null, null), (cell.Distance, cell.SrcRse, cell.Ranking));
        Assert.Null(Contract.Holds<RucioExport>(await f.Api.JsonAsync("GET", "/export?distance=false"), "GET /export?distance=false").Distances);
    }

    private async Task Ok(string method, string path, string body)
    {
        using var resp = await f.Api.SendAsync(method, path, body);
        Assert.True(resp.IsSuccessStatusCode, $"{method} {path}: {(int)resp.StatusCode} {await resp.Content.ReadAsStringAsync()}");
    }
}
