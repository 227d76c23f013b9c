using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Paths;
using Ferry.Functional.Tests.Infrastructure;
using Ferry.Functional.Tests.Tasks;

namespace Ferry.Functional.Tests.Security;

/// <summary>
/// Every endpoint of the server's OpenAPI document has a row in the permission matrix, and every row holds: a bad
/// token is refused on every non-anonymous endpoint, and an ordinary account is refused on every admin or owner
/// endpoint aimed at root's objects, with nothing in the catalogue changed.
/// </summary>
public sealed class PermissionMatrixTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private static readonly string StoragePath = Lfn2Pfn.Hash("user.root", "perm_file");
    // These answer per item (JEDI-style codes, per-rule outcomes) rather than refusing the whole request.
    private static readonly HashSet<string> PerItem = ["POST /ferry/tasks/bulk/{action}", "POST /ferry/data/extend", "POST /ferry/data/delete"];

    private static readonly Dictionary<string, string> Bodies = new()
    {
        ["POST /dids"] = """[{"scope":"user.root","name":"m_ds","type":"DATASET"}]""",
        ["POST /dids/attachments"] = """{"attachments":[{"scope":"user.root","name":"perm_ds","dids":[{"scope":"user.root","name":"perm_ds2"}]}]}""",
        ["POST /dids/bulkdidsmeta"] = """{"dids":[{"scope":"user.root","name":"perm_ds","meta":{"k":"v"}}]}""",
        ["POST /dids/{**rest}"] = """{"type":"DATASET"}""",
        ["PUT /dids/{**rest}"] = """{"open":false}""",
        ["DELETE /dids/{**rest}"] = """{"dids":[{"scope":"user.root","name":"perm_ds2"}]}""",
        ["POST /replicas"] = """{"rse":"LOCAL","files":[{"scope":"user.root","name":"perm_file","bytes":1,"adler32":"00000001"}]}""",
        ["PUT /replicas"] = """{"rse":"LOCAL","files":[{"scope":"user.root","name":"perm_file","bytes":1,"adler32":"00000001","state":"A"}]}""",
        ["DELETE /replicas"] = """{"rse":"LOCAL","files":[{"scope":"user.root","name":"perm_file"}]}""",
        ["POST /replicas/bad"] = """{"replicas":[{"scope":"user.root","name":"perm_file","rse":"LOCAL"}],"reason":"probe"}""",
        ["POST /dids/sample"] = """{"input_scope":"user.root","input_name":"perm_ds","output_scope":"user.root","output_name":"m_sample","nbfiles":"1"}""",
        ["POST /rules"] = """{"dids":[{"scope":"user.root","name":"perm_ds"}],"copies":1,"rse_expression":"LOCAL","account":"root"}""",
        ["PUT /rules/{id}"] = """{"options":{"lifetime":1}}""",
        ["POST /rules/{id}/move"] = """{"rse_expression":"LOCAL"}""",
        ["DELETE /rules/{id}"] = "{}",
        ["POST /ferry/data/replicate"] = """{"account":"root","dids":[{"scope":"user.root","name":"perm_ds"}],"rse_expression":"LOCAL","dry_run":false}""",
        ["POST /ferry/data/extend"] = """{"rules":[{"id":"RULE","expires_at":"Sun, 01 Jan 2040 00:00:00 UTC"}]}""",
        ["POST /ferry/data/delete"] = """{"rules":[{"id":"RULE"}]}""",
        ["POST /ferry/tasks"] = """{"input":"user.root:perm_in","command":"true","files_per_job":1,"output_scope":"user.root","output_dataset":"m_out","output_rse":"PERM-OUT"}""",
        ["POST /ferry/tasks/bulk/{action}"] = """{"selection":{"user":"root"},"submit":true}""",
        ["POST /ferry/subscriptions"] = """{"name":"m_sub","account":"root","filter":{"scopes":["user.root"]},"rules":[{"rse_expression":"LOCAL","copies":1}]}""",
        ["PUT /ferry/subscriptions/{name}"] = """{"state":"INACTIVE"}""",
        ["POST /accounts/{account}"] = """{"type":"USER"}""",
        ["POST /accounts/{account}/identities"] = """{"identity":"m","authtype":"USERPASS","password":"m"}""",
        ["DELETE /accounts/{account}/identities"] = """{"identity":"root","authtype":"USERPASS"}""",
        ["POST /accounts/{account}/attr/{key}"] = """{"value":"true"}""",
        ["POST /accounts/{account}/limits/local/{rse}"] = """{"bytes":1}""",
        ["POST /accounts/{account}/limits/global/{expression}"] = """{"bytes":1}""",
        ["PUT /rses/{rse}"] = """{"availability_write":false}""",
        ["POST /rses/{rse}/attr/{key}"] = """{"value":"x"}""",
        ["POST /rses/{rse}/protocols/{scheme}"] = """{"hostname":"h","port":1,"prefix":"/p"}""",
        ["PUT /rses/{rse}/limits"] = """{"name":"MinFreeSpace","value":1}""",
        ["DELETE /rses/{rse}/limits"] = """{"name":"MinFreeSpace"}""",
        ["POST /rses/{src}/distances/{dst}"] = """{"distance":7}""",
        ["PUT /rses/{src}/distances/{dst}"] = """{"distance":7}""",
        ["PUT /ferry/retention/{rse}"] = """{"min_copies":1,"min_age_days":1}""",
        ["POST /ferry/rses/{rse}/check"] = "{}",
        ["POST /ferry/tasks/{id}/{action}"] = "{}",
    };

    [Fact]
    public async Task Every_endpoint_has_a_matrix_row_and_callers_without_the_right_are_refused_and_change_nothing()
    {
        var api = f.Api;
        var matrix = (await api.JsonAsync("GET", "/ferry/permissions")).EnumerateArray()
            .Select(p => (Method: p.GetProperty("method").GetString()!, Route: p.GetProperty("route").GetString()!, Access: p.GetProperty("access").GetString()!)).ToList();
        var rows = matrix.ToDictionary(p => (p.Method, Normalize(p.Route)));

        // 1. The OpenAPI document: every operation needs a row.
        using var openapi = await api.SendAsync("GET", "/openapi/v1.json", auth: false);
        var doc = JsonNode.Parse(await openapi.Content.ReadAsStringAsync())!;
        var missing = new List<string>();
        var operations = 0;
        foreach (var (path, item) in doc["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method is "parameters" or "summary" or "description" or "servers") continue;
                operations++;
                // A route documented on its own but served by a catch-all (the DID API) has the catch-all's row.
                var served = operation?["x-ferry-route"]?.GetValue<string>() ?? path;
                if (!rows.ContainsKey((method.ToUpperInvariant(), Normalize(served)))) missing.Add($"{method.ToUpperInvariant()} {path}");
            }
        Assert.True(missing.Count == 0, $"endpoints without a row in the permission matrix (Ferry.Server/Security/Permissions.cs, docs/permissions.md):\n{string.Join('\n', missing)}");
        Assert.True(operations > 100, $"only {operations} operations in the OpenAPI document");

        // 2. Root's objects, and an ordinary account.
        await api.SendAsync("POST", "/dids/user.root/perm_ds", """{"type":"DATASET"}""");
        await api.SendAsync("POST", "/dids/user.root/perm_ds2", """{"type":"DATASET"}""");
        var ruleId = (await api.JsonAsync("POST", "/rules/", """{"dids":[{"scope":"user.root","name":"perm_ds"}],"copies":1,"rse_expression":"LOCAL","account":null}"""))[0].GetString()!;
        // The subscription matches no DID of this test: the subscriber adding rules in the background (to the task's
        // output dataset, say) would otherwise change the catalogue between the two snapshots.
        using (var sub = await api.SendAsync("POST", "/ferry/subscriptions", """{"name":"perm_sub","filter":{"scopes":["user.root"],"name_regex":"perm_sub_target_.*"},"rules":[{"rse_expression":"LOCAL","copies":1}]}"""))
            Assert.True((int)sub.StatusCode == 201, await sub.Content.ReadAsStringAsync());
        await TaskData.InputAsync(api, "PERM-IN", "perm_in", 1);
        await Site.AddPosixRseAsync(api, "PERM-OUT");
        var taskId = await TaskData.SubmitAsync(api, new { input = "user.root:perm_in", files_per_job = 1, output_scope = "user.root", output_dataset = "perm.out", output_rse = "PERM-OUT", command = "sleep 120" });
        await api.SendAsync("POST", "/accounts/mallory", """{"type":"USER"}""");
        await api.SendAsync("POST", "/accounts/mallory/identities", """{"identity":"mallory","authtype":"USERPASS","password":"pw-mallory"}""");
        await api.SendAsync("POST", "/accounts/mallory/scopes/user.mallory");
        var mallory = await api.TokenAsync("mallory", "pw-mallory");
        // The task's definition makes its output dataset and rule in the background: wait for it, then let the judge settle.
        await TaskData.WaitForStatusAsync(api, taskId, TimeSpan.FromSeconds(60), "ready", "running");
        await Task.Delay(1500); // let the judge settle the rule before the snapshot
        var before = await Fingerprint(api);

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(f.Server.Url) };
        var failures = new List<string>();
        var probed = 0;
        foreach (var (method, route, access) in matrix)
        {
            if (access == "Anonymous") continue;
            var key = $"{method} {route}";
            var path = Fill(route, method, ruleId, taskId);
            var body = Bodies.GetValueOrDefault(key)?.Replace("RULE", ruleId, StringComparison.Ordinal);

            using (var bad = await Send(http, method, path, body, "root-root-ferry-00000000000000000000000000000000"))
                if ((int)bad.StatusCode != 401) failures.Add($"{key} with an unknown token: {(int)bad.StatusCode} {await bad.Content.ReadAsStringAsync()}");
            if (access == "Authenticated") continue;

            probed++;
            using var resp = await Send(http, method, path, body, mallory);
            var text = await resp.Content.ReadAsStringAsync();
            var status = (int)resp.StatusCode;
            if (PerItem.Contains(key) ? status >= 500 : status != 401 || !text.Contains("AccessDenied", StringComparison.Ordinal))
                failures.Add($"{key} ({access}) as mallory: {status} {text}");
        }
        var after = await Fingerprint(api);
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.True(probed > 40, $"only {probed} admin/owner rows probed");
        Assert.Equal(before, after);
    }

    private static Task<HttpResponseMessage> Send(HttpClient http, string method, string path, string? body, string token)
    {
        var req = new HttpRequestMessage(new HttpMethod(method), path);
        req.Headers.Add("X-Rucio-Auth-Token", token);
        if (method == "MOVE") req.Headers.Add("Destination", $"{http.BaseAddress}storage/LOCAL/{StoragePath}");
        if (body is not null) req.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        return http.SendAsync(req);
    }

    private static string Normalize(string route) => route.Replace("{**", "{", StringComparison.Ordinal).TrimEnd('/');

    private static string Fill(string route, string method, string ruleId, long taskId)
    {
        var rest = method switch { "POST" => "user.root/m_new", "PUT" => "user.root/perm_ds/status", "DELETE" => "user.root/perm_ds/dids", _ => "user.root/perm_ds" };
        var storage = method is "MOVE" or "DELETE" ? StoragePath + ".ferry.part" : StoragePath;
        var id = route.StartsWith("/ferry/tasks", StringComparison.Ordinal) ? taskId.ToString(System.Globalization.CultureInfo.InvariantCulture) : ruleId;
        var name = route.StartsWith("/ferry/subscriptions", StringComparison.Ordinal) ? "perm_sub" : "perm_ds";
        return route.Replace("{**rest}", rest).Replace("{**path}", storage).Replace("{id}", id).Replace("{name}", name)
            .Replace("{account}", "root").Replace("{scope}", "user.root").Replace("{rse}", "LOCAL").Replace("{src}", "LOCAL").Replace("{dst}", "PERM-OUT")
            .Replace("{key}", "perm_key").Replace("{scheme}", "file").Replace("{expression}", "LOCAL").Replace("{action}", "pause")
            .Replace("{job}", "1").Replace("{attempt}", "1").Replace("{stream}", "stdout");
    }

    /// <summary>What an admin sees of accounts, scopes, RSEs, DIDs, rules, quotas, identities and policies, without fields that daemons move.</summary>
    private static async Task<string> Fingerprint(RawApi api)
    {
        string[] reads =
        [
            "/accounts", "/scopes/owner", "/rses", "/rses/LOCAL/attr", "/rses/LOCAL/protocols", "/rses/LOCAL/limits", "/rses/LOCAL/distances/PERM-OUT",
            "/dids/user.root/dids/search?type=all&long=True", "/dids/user.root/perm_ds", "/dids/user.root/perm_ds/dids", "/dids/user.root/perm_ds/meta?plugin=JSON",
            "/rules", "/accounts/root/attr", "/accounts/root/identities", "/accounts/root/limits/local", "/accounts/root/limits/global",
            "/accounts/root/scopes", "/ferry/subscriptions", "/ferry/retention", "/replicas/user.root/perm_in",
        ];
        var sb = new StringBuilder();
        foreach (var r in reads)
        {
            using var resp = await api.SendAsync("GET", r);
            var text = await resp.Content.ReadAsStringAsync();
            sb.Append(r).Append(' ').Append((int)resp.StatusCode).Append(' ');
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                sb.Append(Strip(line)).Append('\n');
        }
        return sb.ToString();
    }

    private static readonly HashSet<string> Volatile = ["updated_at", "state", "locks_ok_cnt", "locks_replicating_cnt", "locks_stuck_cnt", "stuck_at", "error",
        "accessed_at", "last_update", "cursor_at", "tombstone", "free", "used", "files", "bytes_remaining"];

    private static string Strip(string line)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(line); }
        catch (JsonException) { return line; }
        void Walk(JsonNode? n)
        {
            if (n is JsonObject o) { foreach (var k in o.Select(p => p.Key).Where(Volatile.Contains).ToList()) o.Remove(k); foreach (var p in o) Walk(p.Value); }
            else if (n is JsonArray a) foreach (var x in a) Walk(x);
        }
        Walk(node);
        return node?.ToJsonString() ?? "null";
    }
}
