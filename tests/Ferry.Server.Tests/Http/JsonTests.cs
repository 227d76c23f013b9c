using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Server.Http;

namespace Ferry.Server.Tests.Http;

/// <summary>Typed reads of request fields: what the Rucio client sends is accepted, anything else is a 400 naming the key.</summary>
public sealed class JsonTests
{
    private static JsonObject Body(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void A_missing_key_is_a_KeyError_and_a_null_one_is_InvalidObject()
    {
        Assert.Equal("KeyError", Assert.ThrowsAny<FerryException>(() => Body("{}").RequiredString("rse")).ExceptionClass);
        var e = Assert.ThrowsAny<FerryException>(() => Body("""{"rse": null}""").RequiredString("rse"));
        Assert.Equal("InvalidObject", e.ExceptionClass);
        Assert.Contains("'rse' must not be null", e.Message);
    }

    [Theory]
    [InlineData("""{"n": 5}""", 5L)]
    [InlineData("""{"n": "12"}""", 12L)]
    [InlineData("""{"n": 2.1}""", 3L)]
    [InlineData("""{"n": null}""", null)]
    [InlineData("""{}""", null)]
    public void Numbers_come_as_integers_strings_or_fractions_rounded_up(string json, long? expected)
    {
        Assert.Equal(expected, Body(json).OptLong("n"));
    }

    [Theory]
    [InlineData("""{"n": "twelve"}""")]
    [InlineData("""{"n": [1]}""")]
    [InlineData("""{"n": 1e300}""")]
    public void What_is_not_a_number_is_refused(string json)
    {
        var e = Assert.ThrowsAny<FerryException>(() => Body(json).OptLong("n"));
        Assert.Equal(400, e.Status);
        Assert.Contains("'n' must be a number", e.Message);
    }

    [Theory]
    [InlineData("""{"b": true}""", true)]
    [InlineData("""{"b": "False"}""", false)]
    [InlineData("""{"b": 1}""", true)]
    [InlineData("""{"b": 0}""", false)]
    public void Booleans_come_as_JSON_python_strings_or_zero_and_one(string json, bool expected)
    {
        Assert.Equal(expected, Body(json).OptBool("b"));
    }

    [Fact]
    public void Two_is_not_a_boolean_and_a_number_is_not_a_string()
    {
        Assert.ThrowsAny<FerryException>(() => Body("""{"b": 2}""").OptBool("b"));
        Assert.Contains("must be a string", Assert.ThrowsAny<FerryException>(() => Body("""{"s": 2}""").OptString("s")).Message);
        Assert.Contains("must be a list", Assert.ThrowsAny<FerryException>(() => Body("""{"l": {}}""").OptArray("l")).Message);
    }
}
