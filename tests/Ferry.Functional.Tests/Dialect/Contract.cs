using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Dialect;

namespace Ferry.Functional.Tests.Dialect;

/// <summary>
/// Holds a server answer against its dialect record: the answer must read into the record with no key left over
/// (strict), and the record must write back the same JSON (every key, value and null). So the record is the answer's
/// whole contract, and the SDK, which reads with the same record, sees everything the server sends.
/// </summary>
public static class Contract
{
    private static readonly JsonSerializerOptions Strict = new(DialectJson.Default.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = DialectJson.Default,
    };

    public static T Holds<T>(JsonElement answer, string what)
    {
        var info = (JsonTypeInfo<T>)Strict.GetTypeInfo(typeof(T));
        T record;
        try { record = answer.Deserialize(info)!; }
        catch (JsonException e) { throw new Xunit.Sdk.XunitException($"{what} does not read as {typeof(T).Name}: {e.Message}\n{answer}"); }
        var back = JsonSerializer.SerializeToNode(record, info);
        Xunit.Assert.True(JsonNode.DeepEquals(JsonNode.Parse(answer.GetRawText()), back),
            $"{what}: {typeof(T).Name} does not write back what the server sent\nserver: {answer}\nrecord: {back?.ToJsonString()}");
        return record;
    }

    public static List<T> HoldEach<T>(IEnumerable<JsonElement> answers, string what) => answers.Select((a, i) => Holds<T>(a, $"{what}[{i}]")).ToList();
}
