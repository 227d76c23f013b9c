using Ferry.Core.Dialect;
using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// Rucio's /requests API over the transfer queue, pinned to the real Rucio 41's answers: the same keys and types
/// (a RucioRequest holds the answer exactly), QUEUED while waiting, RequestNotFound once done, the finished request
/// under history, and MissingParameter/Invalid for a listing without states or with a bad one.
/// </summary>
public sealed class RequestDialectTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_file_request_is_queued_then_finished_into_history()
    {
        var src = await Site.AddPosixRseAsync(f.Api, "REQ-SRC");
        await Site.AddPosixRseAsync(f.Api, "REQ-DST");
        var file = Site.MakeFiles("user.root", "req", 1, _ => 1000)[0];
        await Site.UploadAsync(f.Api, "REQ-SRC", src, "req_ds", [file]);
        // A destination blocked for writes has its queue left unread, so the request (made because the rule ignores
        // availability) stays QUEUED while it is looked at.
        await f.Api.SendAsync("PUT", "/rses/REQ-DST", """{"availability_write":false}""");
        var rule = (await f.Api.JsonAsync("POST", "/rules/",
            """{"dids":[{"scope":"user.root","name":"req_ds"}],"copies":1,"rse_expression":"REQ-DST","ignore_availability":true}"""))[0].GetString()!;

        var queued = Contract.Holds<RucioRequest>(await f.Api.JsonAsync("GET", $"/requests/user.root/{file.Name}/REQ-DST"), "GET /requests/{did}/{rse}");
        Assert.Equal(("QUEUED", "TRANSFER", "FILE", "REQ-DST", rule), (queued.State, queued.RequestType, queued.DidType, queued.DestRse, queued.RuleId));
        Assert.Equal((1000L, file.Adler32, "root", "User Subscriptions"), (queued.Bytes, queued.Adler32, queued.Account, queued.Activity));
        Assert.Null(queued.SourceRse);
        // The CLI reads it through the SDK with the same record, and its --json is the server's answer.
        var cli = await Infrastructure.Cli.RunAsync(f.Server, "replica", "request", $"user.root:{file.Name}", "--rse", "REQ-DST", "--json");
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Equal(queued, Contract.Holds<RucioRequest>(System.Text.Json.JsonDocument.Parse(cli.Stdout).RootElement, "ferry replica request --json"));
        using (var none = await f.Api.SendAsync("GET", $"/requests/history/user.root/{file.Name}/REQ-DST"))
            await RawApi.AssertError(none, 404, "RequestNotFound");
        using (var noRse = await f.Api.SendAsync("GET", $"/requests/user.root/{file.Name}/REQ-NOSUCH"))
            await RawApi.AssertError(noRse, 404, "RSENotFound");

        using (var noStates = await f.Api.SendAsync("GET", "/requests/list?src_rse=REQ-SRC&dst_rse=REQ-DST"))
            await RawApi.AssertError(noStates, 400, "MissingParameter");
        using (var badState = await f.Api.SendAsync("GET", "/requests/list?src_rse=REQ-SRC&dst_rse=REQ-DST&request_states=ZZ"))
            await RawApi.AssertError(badState, 400, "Invalid");
        using (var noDst = await f.Api.SendAsync("GET", "/requests/list?src_rse=REQ-SRC&request_states=Q"))
            await RawApi.AssertError(noDst, 400, "MissingParameter");

        await f.Api.SendAsync("PUT", "/rses/REQ-DST", """{"availability_write":true}""");
        await Site.WaitForRuleAsync(f.Api, rule, "OK", TimeSpan.FromSeconds(60));
        using (var gone = await f.Api.SendAsync("GET", $"/requests/user.root/{file.Name}/REQ-DST"))
            await RawApi.AssertError(gone, 404, "RequestNotFound");
        var done = Contract.Holds<RucioRequest>(await f.Api.JsonAsync("GET", $"/requests/history/user.root/{file.Name}/REQ-DST"), "GET /requests/history/...");
        Assert.Equal(("DONE", "REQ-SRC", queued.Id), (done.State, done.SourceRse, done.Id));
        Assert.NotNull(done.TransferredAt);

        var listed = Contract.HoldEach<RucioRequest>(await f.Api.StreamAsync("GET", "/requests/list?src_rse=REQ-SRC&dst_rse=REQ-DST&request_states=D,F"), "GET /requests/list");
        Assert.Equal([queued.Id], listed.Select(r => r.Id));
    }
}
