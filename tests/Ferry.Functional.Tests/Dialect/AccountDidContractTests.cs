using System.Text.Json;
using Ferry.Core.Dialect;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// Every account, scope, limit, usage, DID and metadata answer is exactly its dialect record (or, where Rucio answers
/// a map keyed by names, that map of records): read strictly, written back identical.
/// </summary>
public sealed class AccountDidContractTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Account_scope_limit_and_usage_answers_are_their_records()
    {
        await Site.AddPosixRseAsync(f.Api, "CTACC");
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/ctacc", """{"type":"USER","email":"ct@example.org"}""")).StatusCode);
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/ctacc/scopes/user.ctacc")).StatusCode);
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/ctacc/limits/local/CTACC", """{"bytes":1000}""")).StatusCode);
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/accounts/ctacc/limits/global/CTACC", """{"bytes":2000}""")).StatusCode);

        var account = Contract.Holds<RucioAccount>(await f.Api.JsonAsync("GET", "/accounts/ctacc"), "GET /accounts/{account}");
        Assert.Equal(("ctacc", "USER", "ct@example.org"), (account.Account, account.AccountType, account.Email));
        Assert.Contains(Contract.HoldEach<RucioAccountSummary>(await f.Api.StreamAsync("GET", "/accounts/"), "GET /accounts/"), a => a.Account == "ctacc");
        Assert.Contains(Contract.HoldEach<RucioIdentity>(await f.Api.StreamAsync("GET", "/accounts/root/identities"), "GET /accounts/{account}/identities"),
            i => i.Type == "USERPASS");

        Assert.Contains("user.ctacc", Contract.Holds<List<string>>(await f.Api.JsonAsync("GET", "/scopes/"), "GET /scopes/"));
        Assert.Equal(["user.ctacc"], Contract.Holds<List<string>>(await f.Api.JsonAsync("GET", "/accounts/ctacc/scopes"), "GET /accounts/{account}/scopes"));
        Assert.Contains(Contract.Holds<List<RucioScopeOwner>>(await f.Api.JsonAsync("GET", "/scopes/owner"), "GET /scopes/owner"),
            s => s is { Scope: "user.ctacc", Account: "ctacc" });

        Assert.Equal(1000, Contract.Holds<Dictionary<string, long>>(await f.Api.JsonAsync("GET", "/accounts/ctacc/limits/local"), "GET limits/local")["CTACC"]);
        Contract.Holds<Dictionary<string, long>>(await f.Api.JsonAsync("GET", "/accounts/ctacc/limits"), "GET limits");
        Assert.Equal(1000, Contract.Holds<Dictionary<string, long?>>(await f.Api.JsonAsync("GET", "/accounts/ctacc/limits/local/CTACC"), "GET limits/local/{rse}")["CTACC"]);
        Assert.Null(Contract.Holds<Dictionary<string, long?>>(await f.Api.JsonAsync("GET", "/accounts/ctacc/limits/local/NONE"), "GET limits/local/{none}")["NONE"]);
        var global = Contract.Holds<Dictionary<string, RucioGlobalLimit>>(await f.Api.JsonAsync("GET", "/accounts/ctacc/limits/global"), "GET limits/global");
        Assert.Equal(["CTACC"], global["CTACC"].ResolvedRses);
        Assert.Equal(2000, global["CTACC"].Limit);
        Contract.Holds<Dictionary<string, long?>>(await f.Api.JsonAsync("GET", "/accounts/ctacc/limits/global/CTACC"), "GET limits/global/{expression}");

        var local = Contract.HoldEach<RucioAccountUsage>(await f.Api.StreamAsync("GET", "/accounts/ctacc/usage/local"), "GET usage/local");
        Assert.Equal([("CTACC", 1000L, 1000L)], local.Select(u => (u.Rse, u.BytesLimit, u.BytesRemaining)));
        Contract.HoldEach<RucioAccountUsage>(await f.Api.StreamAsync("GET", "/accounts/ctacc/usage/local/CTACC"), "GET usage/local/{rse}");
        var globalUsage = Contract.HoldEach<RucioAccountGlobalUsage>(await f.Api.StreamAsync("GET", "/accounts/ctacc/usage/global"), "GET usage/global");
        Assert.Equal([("CTACC", 2000L)], globalUsage.Select(u => (u.RseExpression, u.BytesLimit)));
        Contract.HoldEach<RucioAccountGlobalUsage>(await f.Api.StreamAsync("GET", "/accounts/ctacc/usage/global/CTACC"), "GET usage/global/{expression}");
    }

    [Fact]
    public async Task Did_content_file_search_and_metadata_answers_are_their_records()
    {
        var prefix = await Site.AddPosixRseAsync(f.Api, "CTDID");
        var files = Site.MakeFiles("user.root", "ctdid", 2, i => 100 + i);
        await Site.UploadAsync(f.Api, "CTDID", prefix, "ctdid_ds", files);
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/dids/user.root/ctdid_cont", """{"type":"CONTAINER"}""")).StatusCode);
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", "/dids/user.root/ctdid_cont/dids", """{"dids":[{"scope":"user.root","name":"ctdid_ds"}]}""")).StatusCode);
        Assert.Equal(201, (int)(await f.Api.SendAsync("POST", $"/dids/user.root/{files[0].Name}/meta", """{"meta":{"project":"ct","custom":{"a":[1,null]}}}""")).StatusCode);

        var file = Contract.Holds<RucioFileDid>(await f.Api.JsonAsync("GET", $"/dids/user.root/{files[0].Name}"), "GET /dids/{file}");
        Assert.Equal(("FILE", 100L, files[0].Adler32), (file.Type, file.Bytes, file.Adler32));
        var ds = Contract.Holds<RucioCollectionDid>(await f.Api.JsonAsync("GET", "/dids/user.root/ctdid_ds"), "GET /dids/{dataset}");
        Assert.Equal("DATASET", ds.Type);
        var deep = Contract.Holds<RucioCollectionDid>(await f.Api.JsonAsync("GET", "/dids/user.root/ctdid_cont?dynamic_depth=FILE"), "GET /dids/{container}?dynamic_depth");
        Assert.Equal((201L, 2L), (deep.Bytes, deep.Length));

        Assert.Equal(["ctdid_ds"], Contract.HoldEach<RucioDidContent>(await f.Api.StreamAsync("GET", "/dids/user.root/ctdid_cont/dids"), "GET /dids/{did}/dids").Select(c => c.Name));
        var listed = Contract.HoldEach<RucioDidFile>(await f.Api.StreamAsync("GET", "/dids/user.root/ctdid_cont/files"), "GET /dids/{did}/files");
        Assert.Equal(2, listed.Count);
        Assert.All(listed, l => Assert.Null(l.Lumiblocknr));
        var longForm = Contract.HoldEach<RucioDidFile>(await f.Api.StreamAsync("GET", "/dids/user.root/ctdid_ds/files?long=True"), "GET /dids/{did}/files?long");
        Assert.All(longForm, l => Assert.Equal(JsonValueKind.Null, l.Lumiblocknr?.ValueKind));
        Assert.Equal(["ctdid_ds"], Contract.HoldEach<RucioTypedDid>(await f.Api.StreamAsync("GET", $"/dids/user.root/{files[0].Name}/parents"), "GET parents").Select(p => p.Name));

        const string search = "/dids/user.root/dids/search?type=all&filters=%5B%7B%27name%27%3A%20%27ctdid%2A%27%7D%5D";
        Assert.Equal(4, Contract.HoldEach<RucioDidSearchResult>(await f.Api.StreamAsync("GET", search + "&long=True"), "GET search?long").Count);
        Assert.Equal(4, Contract.HoldEach<string>(await f.Api.StreamAsync("GET", search), "GET search").Count);

        var columns = Contract.Holds<RucioDidColumns>(await f.Api.JsonAsync("GET", $"/dids/user.root/{files[0].Name}/meta"), "GET meta");
        Assert.Equal("ct", columns.Project?.GetString());
        Contract.Holds<RucioDidColumns>(await f.Api.JsonAsync("GET", "/dids/user.root/ctdid_ds/meta?plugin=DID_COLUMN"), "GET meta of a dataset");
        var free = Contract.Holds<Dictionary<string, JsonElement>>(await f.Api.JsonAsync("GET", $"/dids/user.root/{files[0].Name}/meta?plugin=JSON"), "GET meta JSON");
        Assert.Equal(["custom"], free.Keys);
        var all = Contract.Holds<Dictionary<string, JsonElement>>(await f.Api.JsonAsync("GET", $"/dids/user.root/{files[0].Name}/meta?plugin=ALL"), "GET meta ALL");
        Assert.True(all.ContainsKey("custom") && all.ContainsKey("did_type"));
        var body = $$"""{"dids":[{"scope":"user.root","name":"{{files[0].Name}}"},{"scope":"user.root","name":"ctdid_ds"}]}""";
        Assert.Equal(2, Contract.HoldEach<RucioDidColumns>(await f.Api.StreamAsync("POST", "/dids/bulkmeta", body), "POST bulkmeta").Count);
    }
}
