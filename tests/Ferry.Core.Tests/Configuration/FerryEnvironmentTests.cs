using Ferry.Core.Configuration;

namespace Ferry.Core.Tests.Configuration;

/// <summary>The one reader refuses names nobody declared and stops on malformed values with the variable's name.</summary>
public sealed class FerryEnvironmentTests
{
    private static FerryEnvironment Of(params (string Name, string? Value)[] values) =>
        new(values.Select(v => new KeyValuePair<string, string?>(v.Name, v.Value)));

    [Fact]
    public void An_undeclared_ferry_variable_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Of().Get("FERRY_NOT_A_SETTING"));
        Assert.Contains("FERRY_NOT_A_SETTING is not declared", e.Message);
        Assert.Throws<InvalidOperationException>(() => Of().TryGetValue("PATH", out _));
    }

    [Fact]
    public void Unset_and_empty_give_the_default_and_numbers_parse()
    {
        var env = Of(("FERRY_TASK_SLOTS", "7"), ("FERRY_UPLOAD_RETRIES", ""), ("FERRY_TRANSFER_LEASE_SECONDS", "30"), ("UNRELATED", "x"));
        Assert.Equal(7, env.Int("FERRY_TASK_SLOTS", 2));
        Assert.Equal(5, env.Int("FERRY_UPLOAD_RETRIES", 5, min: 0));
        Assert.Equal(TimeSpan.FromSeconds(30), env.Seconds("FERRY_TRANSFER_LEASE_SECONDS", TimeSpan.FromMinutes(2)));
        Assert.Equal(TimeSpan.FromMinutes(2), env.Seconds("FERRY_STUCK_RETRY_SECONDS", TimeSpan.FromMinutes(2)));
        Assert.Null(env.Get("FERRY_UPLOAD_RETRIES"));
        Assert.True(env.TryGetValue("FERRY_UPLOAD_RETRIES", out var raw) && raw == "");
        Assert.Equal(3, env.Count);
    }

    [Theory]
    [InlineData("FERRY_TASK_SLOTS", "abc", "FERRY_TASK_SLOTS is 'abc', not a whole number of at least 1")]
    [InlineData("FERRY_TASK_SLOTS", "0", "FERRY_TASK_SLOTS is '0', not a whole number of at least 1")]
    [InlineData("FERRY_TRANSFER_TIMEOUT_SECONDS", "2m", "FERRY_TRANSFER_TIMEOUT_SECONDS is '2m', not a whole number of at least 1")]
    public void A_malformed_value_is_one_line_naming_the_variable(string name, string value, string message)
    {
        var env = Of((name, value));
        var e = Assert.Throws<FerryConfigurationException>(() => name.EndsWith("_SECONDS", StringComparison.Ordinal)
            ? env.Seconds(name, TimeSpan.Zero).Seconds : env.Int(name, 1));
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(400, e.Status);
    }
}
