using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ferry.Functional.Tests.Fuzz;

/// <summary>
/// A grammar of bad requests. An endpoint (method and route template from the OpenAPI document) is filled with real
/// objects of the world, then one or more productions spoil it: path segments (traversal, encoded slashes and NULs,
/// unicode, very long), the query, the method, the token, the content type and the body (broken JSON, wrong types,
/// huge and empty values, near-valid objects with one field wrong). Every choice comes from one seeded Random, so a
/// seed reproduces the exact sequence.
/// </summary>
public sealed partial class FuzzGrammar(Random rng, FuzzWorld world)
{
    private static readonly string[] OtherMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND", "MOVE", "FOO"];

    /// <summary>Query names the endpoints read, plus some they do not.</summary>
    private static readonly string[] QueryNames =
    [
        "account", "dynamic_depth", "expression", "failed", "files", "filters", "group_by", "immediate", "key", "limit", "long", "name",
        "operation", "plugin", "rse_expression", "scheme", "schemes", "scope", "since", "state", "top", "type", "all_states", "nope",
    ];

    /// <summary>Body fields of the dialect (the names the endpoints read).</summary>
    private static readonly string[] Keys =
    [
        "account", "activity", "adler32", "all_states", "attachments", "availability", "availability_delete", "availability_read",
        "availability_write", "bytes", "command", "comment", "copies", "deterministic", "dids", "distance", "dry_run", "email",
        "executor", "expires_at", "files", "filter", "grouping", "guid", "hostname", "id", "identity", "ignore_account_limit",
        "ignore_availability", "impl", "key", "lifetime", "limit", "locked", "md5", "meta", "name", "notify", "open", "options",
        "password", "pattern", "pfns", "port", "prefix", "priority", "purge_replicas", "reason", "replicas", "rse", "rse_expression",
        "rse_type", "rules", "rule_ids", "schemes", "scope", "source_replica_expression", "state", "type", "value", "weight", "authtype",
        "input", "output_rse", "output_scope", "bytes_per_job", "submit", "split_container", "min_copies", "pattern", "retroactive",
    ];

    private static readonly string[] SegmentTricks =
    [
        "", ".", "..", "../..", "..%2F..", "%2e%2e", "%2e%2e%2f%2e%2e", "%2F", "a%2Fb", "%2F%2F", "%00", "a%00b", "%", "%zz", "%ff%fe",
        "%C0%AE%C0%AE", "%5C..%5C", "..\\..", "*", "'", "%22", "%3C%3E", "%7B%7D", "%20", "+", "-1", "0", "99999999999999999999999",
        "NaN", "null", "true", "%E2%80%AE", "%F0%9F%98%80", "%E6%BC%A2%E5%AD%97", "%C3%BC", "%EF%BB%BF", "%0A", "%0D%0A", "%09", ";", "?",
        "%3F", "%23", "~", "$", "user.root:x", "::", "@", "a b",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/json; charset=utf-32",
        "application/xml", "x/y", ";;;", "application/x-json-stream", "application/octet-stream",
    ];

    public FuzzRequest Next(int index, string method, string template)
    {
        var defects = new List<string>();
        var path = FillPath(template, defects);
        if (rng.NextDouble() < 0.25) path += Query(defects);
        if (rng.NextDouble() < 0.12)
        {
            var other = Pick(OtherMethods.Where(m => m != method).ToArray());
            defects.Add($"method {other} instead of {method}");
            method = other;
        }
        var token = PickToken(defects);
        string? contentType = null;
        byte[]? body = null;
        if (method is "POST" or "PUT" or "DELETE" or "PATCH" || rng.NextDouble() < 0.05)
        {
            body = ExampleBodies.For(method, template, path, world) is { } example && rng.NextDouble() < 0.5
                ? SpoilExample(example, defects)
                : Body(template, defects);
            if (body is not null) contentType = ContentType(defects);
        }
        if (defects.Count == 0)
        {
            // Every request carries at least one defect: a request that is merely valid tests nothing here.
            var trick = Pick(SegmentTricks);
            path += "/" + trick;
            defects.Add($"extra segment '{trick}'");
        }
        return new FuzzRequest(index, method, template, path, token, contentType, body, string.Join("; ", defects));
    }

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex Parameter();

    private string FillPath(string template, List<string> defects)
    {
        var spoil = rng.NextDouble() < 0.5;
        var parameters = Parameter().Matches(template).Select(m => m.Groups[1].Value).ToList();
        var spoiled = spoil && parameters.Count > 0 ? parameters[rng.Next(parameters.Count)] : null;
        var path = Parameter().Replace(template, m =>
        {
            var name = m.Groups[1].Value.TrimStart('*');
            if (name != spoiled?.TrimStart('*')) return RealValue(name);
            var bad = BadSegment(name);
            defects.Add($"{{{name}}} = '{(bad.Length > 60 ? bad[..60] + "..." : bad)}'");
            return bad;
        });
        if (spoil && parameters.Count == 0)
        {
            var trick = Pick(SegmentTricks);
            path += "/" + trick;
            defects.Add($"extra segment '{trick}'");
        }
        return path;
    }

    private string RealValue(string parameter)
    {
        string Escape(string s) => Uri.EscapeDataString(s);
        return parameter switch
        {
            "account" => Escape(Pick(world.Accounts)),
            "rse" or "src" or "dst" => Escape(Pick(world.Rses)),
            "scope" => Escape(Pick(world.Scopes)),
            "name" => Escape(Pick(world.Files.Concat(world.Collections).ToList()).Name),
            "id" => rng.NextDouble() < 0.7 && world.RuleIds.Count > 0 ? Pick(world.RuleIds) : Guid.NewGuid().ToString("N"),
            "key" => Pick(new[] { "fuzzkey", "greedyDeletion", "country", "MinFreeSpace" }),
            "scheme" => Pick(new[] { "file", "http", "s3", "root" }),
            "expression" => Escape(Pick(new[] { world.Rses[0], string.Join('|', world.Rses), "type=DISK", "*" })),
            "rest" => DidRest(),
            "path" => $"user.root/{rng.Next(256):x2}/{rng.Next(256):x2}/fuzz_{rng.Next(1000)}.dat",
            "action" => Pick(new[] { "cancel", "retry", "resubmit", "pause", "run" }),
            "job" or "attempt" => rng.Next(-1, 4).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "stream" => Pick(new[] { "stdout", "stderr", "log" }),
            _ => "fuzz" + rng.Next(100),
        };
    }

    private string DidRest()
    {
        var did = Pick(world.Files.Concat(world.Collections).ToList());
        var suffix = Pick(new[] { "", "", "/dids", "/files", "/meta", "/meta/fuzzkey", "/rules", "/parents", "/status", "/associated_rules", "/dids/history" });
        return $"{Uri.EscapeDataString(did.Scope)}/{Uri.EscapeDataString(did.Name)}{suffix}";
    }

    private string BadSegment(string parameter)
    {
        var real = RealValue(parameter);
        return rng.Next(10) switch
        {
            0 => new string('a', Pick(new[] { 256, 1000, 5000, 20000 })),
            1 => real + "/" + Pick(SegmentTricks),
            2 => Pick(SegmentTricks) + real,
            3 => real + Pick(SegmentTricks),
            4 => string.Concat(Enumerable.Repeat("%E6%BC%A2", rng.Next(1, 400))),
            5 => "..%2F..%2F..%2Fetc%2Fpasswd",
            _ => Pick(SegmentTricks),
        };
    }

    private string Query(List<string> defects)
    {
        var parts = new List<string>();
        for (var i = rng.Next(1, 4); i > 0; i--)
        {
            var value = rng.Next(6) switch
            {
                0 => "-1",
                1 => "1e999",
                2 => "abc",
                3 => Pick(SegmentTricks),
                4 => new string('9', rng.Next(20, 400)),
                _ => "",
            };
            parts.Add(rng.Next(8) == 0 ? Pick(new[] { "=", "&&", "%", "a=b=c", "[]=1" }) : $"{Pick(QueryNames)}={value}");
        }
        var query = "?" + string.Join('&', parts);
        defects.Add($"query {(query.Length > 60 ? query[..60] + "..." : query)}");
        return query;
    }

    private TokenKind PickToken(List<string> defects)
    {
        var roll = rng.NextDouble();
        var token = roll < 0.72 ? TokenKind.Admin : roll < 0.84 ? TokenKind.User
            : (TokenKind)(2 + rng.Next(5)); // None, Empty, Garbage, Expired, Huge
        if (token is not (TokenKind.Admin or TokenKind.User)) defects.Add($"token {token}");
        return token;
    }

    private string? ContentType(List<string> defects)
    {
        var roll = rng.NextDouble();
        if (roll < 0.45) return null; // the Rucio client sends no content type
        if (roll < 0.75) return "application/json";
        var type = Pick(ContentTypes);
        defects.Add($"content-type {type}");
        return type;
    }

    private byte[]? Body(string template, List<string> defects)
    {
        var roll = rng.NextDouble();
        if (roll < 0.08) return null;
        if (roll < 0.22)
        {
            var broken = BrokenJson();
            defects.Add("broken JSON");
            return broken;
        }
        if (roll < 0.30)
        {
            defects.Add("not JSON");
            return NotJson();
        }
        JsonNode? node = rng.Next(10) switch
        {
            < 5 => NearValidObject(defects),
            5 or 6 => new JsonArray(Enumerable.Range(0, rng.Next(1, 4)).Select(_ => (JsonNode?)NearValidObject(defects)).ToArray()),
            7 => RandomValue(3),
            _ => Pick(new Func<JsonNode?>[] { () => new JsonObject(), () => new JsonArray(), () => null, () => JsonValue.Create(""), () => JsonValue.Create(0) })(),
        };
        if (node is not JsonObject) defects.Add($"body {(node?.ToJsonString() is { } j && j.Length < 40 ? j : node?.GetValueKind().ToString() ?? "null")}");
        return Encoding.UTF8.GetBytes(node?.ToJsonString() ?? "null");
    }

    /// <summary>A valid body with one part spoiled: a leaf replaced, a key dropped, an element repeated, a value wrapped.</summary>
    private byte[] SpoilExample(JsonNode example, List<string> defects)
    {
        var nodes = new List<JsonNode>();
        void Walk(JsonNode? n)
        {
            if (n is null) return;
            nodes.Add(n);
            if (n is JsonObject o) foreach (var (_, v) in o.ToList()) Walk(v);
            if (n is JsonArray a) foreach (var v in a.ToList()) Walk(v);
        }
        Walk(example);
        var target = nodes[rng.Next(nodes.Count)];
        var where = target.GetPath();
        switch (rng.Next(5))
        {
            case 0 when target.Parent is JsonObject parent:
                parent.Remove(target.GetPropertyName());
                defects.Add($"example body without {where}");
                break;
            case 1 when target is JsonArray array && array.Count > 0:
                array.Add(array[0]!.DeepClone());
                defects.Add($"example body with {where}[0] twice");
                break;
            case 2 when target.Parent is not null:
                Replace(target, new JsonArray(target.DeepClone()));
                defects.Add($"example body with {where} wrapped in an array");
                break;
            default:
                var bad = RandomValue(1);
                var text = bad?.ToJsonString() ?? "null";
                if (target.Parent is null)
                {
                    defects.Add($"example body replaced by {(text.Length > 40 ? text[..40] + "..." : text)}");
                    return Encoding.UTF8.GetBytes(text);
                }
                Replace(target, bad);
                defects.Add($"example body with {where} = {(text.Length > 40 ? text[..40] + "..." : text)}");
                break;
        }
        return Encoding.UTF8.GetBytes(example.ToJsonString());
    }

    private static void Replace(JsonNode target, JsonNode? with)
    {
        switch (target.Parent)
        {
            case JsonObject o: o[target.GetPropertyName()] = with; break;
            case JsonArray a: a[target.GetElementIndex()] = with; break;
        }
    }

    /// <summary>An object with the dialect's fields holding plausible values, and one or two holding wrong ones.</summary>
    private JsonObject NearValidObject(List<string> defects)
    {
        var o = new JsonObject();
        var keys = Enumerable.Range(0, rng.Next(1, 7)).Select(_ => Pick(Keys)).Distinct().ToList();
        foreach (var k in keys) o[k] = Plausible(k);
        var wrong = Pick(keys);
        var bad = RandomValue(2);
        o[wrong] = bad;
        var text = bad?.ToJsonString() ?? "null";
        defects.Add($"\"{wrong}\": {(text.Length > 40 ? text[..40] + "..." : text)}");
        return o;
    }

    private JsonNode? Plausible(string key)
    {
        var did = Pick(world.Files.Concat(world.Collections).ToList());
        JsonObject Did() => new() { ["scope"] = did.Scope, ["name"] = did.Name };
        return key switch
        {
            "account" => Pick(world.Accounts),
            "scope" or "output_scope" => Pick(world.Scopes),
            "name" => did.Name,
            "rse" or "output_rse" => Pick(world.Rses),
            "rse_expression" or "source_replica_expression" or "filter" or "expression" => Pick(world.Rses),
            "copies" or "min_copies" => 1,
            "grouping" => Pick(new[] { "DATASET", "ALL", "NONE" }),
            "lifetime" => 3600,
            "type" => Pick(new[] { "DATASET", "CONTAINER", "FILE", "USER" }),
            "dids" or "attachments" or "files" or "replicas" => new JsonArray(Did()),
            "bytes" => 10,
            "adler32" => "0000abcd",
            "state" => Pick(new[] { "A", "U", "AVAILABLE", "STUCK" }),
            "meta" or "options" => new JsonObject(),
            "id" or "rule_ids" => world.RuleIds.Count > 0 ? Pick(world.RuleIds) : "x",
            "authtype" => "USERPASS",
            "priority" => 3,
            // Storage the fuzzer configures must point at nothing: port 9 (discard) on loopback is refused at once.
            "port" => 9,
            "hostname" => "127.0.0.1",
            "prefix" => "/tmp/fuzz",
            _ => RandomValue(1),
        };
    }

    /// <summary>Any JSON value, favouring the ones endpoints mishandle: wrong types, extremes, empties, deep nesting.</summary>
    public JsonNode? RandomValue(int depth)
    {
        var choice = rng.Next(depth > 0 ? 26 : 22);
        return choice switch
        {
            0 => null,
            1 => true,
            2 => false,
            3 => 0,
            4 => -1,
            5 => 1.5,
            6 => long.MinValue,
            7 => double.MaxValue,
            8 => JsonNode.Parse("18446744073709551616"),
            9 => JsonNode.Parse("1e400"),
            10 => "",
            11 => " ",
            12 => new string('x', Pick(new[] { 300, 5000, 100_000 })),
            13 => "../../../../etc/passwd",
            14 => "a\u0000b",
            15 => "漢字\u202Eü😀",
            16 => "*",
            17 => "2026-13-45T99:99:99",
            18 => "-1",
            19 => "true",
            20 => Pick(SegmentTricks),
            21 => JsonNode.Parse(string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40))),
            22 => new JsonArray(Enumerable.Range(0, rng.Next(0, 4)).Select(_ => RandomValue(depth - 1)).ToArray()),
            23 => new JsonObject(Enumerable.Range(0, rng.Next(0, 4)).Select(_ => new KeyValuePair<string, JsonNode?>(Pick(Keys), RandomValue(depth - 1))).DistinctBy(p => p.Key)),
            24 => new JsonArray(Enumerable.Range(0, 2000).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
            _ => new JsonObject { ["scope"] = RandomValue(0), ["name"] = RandomValue(0) },
        };
    }

    private byte[] BrokenJson()
    {
        var text = rng.Next(14) switch
        {
            0 => "{",
            1 => "{\"dids\": [",
            2 => "[1, 2",
            3 => "nul",
            4 => "\"unterminated",
            5 => "{\"a\": 1,}",
            6 => "{'single': 'quotes'}",
            7 => "\uFEFF{\"copies\": 1}",
            8 => string.Concat(Enumerable.Repeat("[", 5000)),
            9 => "{\"copies\": NaN}",
            10 => "{\"a\":1} trailing",
            11 => "{\"a\": \"\\uD800\"}",
            12 => "{\"a\": \"bad \\x escape\"}",
            _ => "{\"dids\": [{\"scope\": 1e400, \"name\": " + new string('9', 5000) + "}]}",
        };
        return Encoding.UTF8.GetBytes(text);
    }

    private byte[] NotJson() => rng.Next(5) switch
    {
        0 => Enumerable.Range(0, rng.Next(1, 2000)).Select(_ => (byte)rng.Next(256)).ToArray(),
        1 => Encoding.UTF8.GetBytes("scope=user.root&name=x&copies=1"),
        2 => Encoding.UTF8.GetBytes("<xml><dids/></xml>"),
        3 => [0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00],
        _ => Encoding.UTF8.GetBytes(new string(' ', rng.Next(0, 10))),
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];
}
