using System.Text.Json.Nodes;

namespace Ferry.Functional.Tests.Fuzz;

/// <summary>
/// Valid bodies of the main write endpoints (the OpenAPI document names no schemas: handlers read raw JSON), for the
/// grammar to spoil one part at a time: one leaf replaced by a wrong value, a key dropped, an array element repeated,
/// an object wrapped in an array. These reach deeper into a handler than a random object does. Task submission is
/// left out on purpose: a body that happened to stay valid would run a command.
/// </summary>
public static class ExampleBodies
{
    public static JsonNode? For(string method, string template, string path, FuzzWorld w)
    {
        var file = w.Files[0];
        var text = (method, template) switch
        {
            ("POST", "/rules") => $$"""{"dids":[{"scope":"user.root","name":"fz_ds"}],"copies":1,"rse_expression":"FZ_A","grouping":"DATASET","lifetime":3600,"account":"root","activity":"User Subscriptions"}""",
            ("PUT", "/rules/{id}") => """{"options":{"lifetime":7200,"comment":"fuzz","locked":false}}""",
            ("POST", "/rules/{id}/move") => """{"rse_expression":"FZ_A"}""",
            ("POST", "/replicas") => $$"""{"rse":"FZ_A","files":[{"scope":"{{file.Scope}}","name":"{{file.Name}}","bytes":1000,"adler32":"00000001","state":"A"}]}""",
            ("PUT", "/replicas") => $$"""{"rse":"FZ_A","files":[{"scope":"{{file.Scope}}","name":"{{file.Name}}","state":"U"}]}""",
            ("DELETE", "/replicas") => $$"""{"rse":"FZ_A","files":[{"scope":"{{file.Scope}}","name":"{{file.Name}}"}]}""",
            ("POST", "/replicas/list") => $$"""{"dids":[{"scope":"{{file.Scope}}","name":"{{file.Name}}"}],"schemes":["file"],"rse_expression":"FZ_A","all_states":false}""",
            ("POST", "/replicas/bad") => $$"""{"replicas":[{"scope":"{{file.Scope}}","name":"{{file.Name}}","rse":"FZ_A"}],"reason":"fuzz"}""",
            ("POST", "/dids") => """[{"scope":"user.root","name":"fz_new","type":"DATASET","meta":{"project":"x"}}]""",
            ("POST", "/dids/attachments") => """{"attachments":[{"scope":"user.root","name":"fz_cont","dids":[{"scope":"user.root","name":"fz_ds"}]}]}""",
            ("POST", "/dids/bulkdidsmeta") or ("POST", "/dids/bulkmeta") => $$"""{"dids":[{"scope":"{{file.Scope}}","name":"{{file.Name}}"}],"inherit":false}""",
            ("POST", "/dids/{rest}") when path.EndsWith("/dids", StringComparison.Ordinal) => $$"""{"dids":[{"scope":"{{file.Scope}}","name":"{{file.Name}}"}]}""",
            ("POST", "/dids/{rest}") when path.Contains("/meta", StringComparison.Ordinal) => """{"value":"x","meta":{"project":"p"}}""",
            ("POST", "/dids/{rest}") => """{"type":"DATASET","lifetime":3600,"meta":{},"rules":[{"copies":1,"rse_expression":"FZ_A"}]}""",
            ("PUT", "/dids/{rest}") => """{"open":false}""",
            ("DELETE", "/dids/{rest}") => $$"""{"dids":[{"scope":"{{file.Scope}}","name":"{{file.Name}}"}]}""",
            ("POST", "/accounts/{account}") => """{"type":"USER","email":"a@example.org"}""",
            ("POST", "/accounts/{account}/identities") => """{"identity":"fz_ident","authtype":"USERPASS","password":"pw","email":"a@example.org"}""",
            ("POST", "/accounts/{account}/limits/local/{rse}") or ("POST", "/accounts/{account}/limits/global/{expression}") => """{"bytes":1000}""",
            ("POST", "/accounts/{account}/attr/{key}") or ("POST", "/rses/{rse}/attr/{key}") => """{"value":"1"}""",
            ("PUT", "/rses/{rse}") => """{"availability_read":true,"availability_write":true,"rse_type":"DISK"}""",
            ("POST", "/rses/{rse}") => """{"rse_type":"DISK","deterministic":true,"volatile":false}""",
            ("POST", "/rses/{rse}/protocols/{scheme}") => """{"hostname":"127.0.0.1","port":9,"prefix":"/fz","impl":"rucio.rse.protocols.webdav.Default","domains":{"wan":{"read":1,"write":1,"delete":1}}}""",
            ("PUT", "/rses/{rse}/limits") => """{"MinFreeSpace":1000}""",
            ("POST", "/rses/{src}/distances/{dst}") or ("PUT", "/rses/{src}/distances/{dst}") => """{"distance":1}""",
            ("POST", "/ferry/rses/{rse}/check") => """{"grace_seconds":0,"sample":10,"checks_per_second":20}""",
            _ => null,
        };
        return text is null ? null : JsonNode.Parse(text);
    }
}
