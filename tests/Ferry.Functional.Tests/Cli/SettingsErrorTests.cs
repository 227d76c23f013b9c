using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Cli;

using Cli = Ferry.Functional.Tests.Infrastructure.Cli;

/// <summary>A malformed FERRY_* setting stops `ferry server` and `ferry worker` at start: one line naming it, exit 2, no stack trace.</summary>
public sealed class SettingsErrorTests
{
    [Theory]
    [InlineData("server", "FERRY_CONVEYOR_PARALLELISM", "abc", "ferry: FERRY_CONVEYOR_PARALLELISM is 'abc', not a whole number of at least 1")]
    [InlineData("server", "FERRY_TRANSFER_LEASE_SECONDS", "2m", "ferry: FERRY_TRANSFER_LEASE_SECONDS is '2m', not a whole number of at least 1")]
    [InlineData("worker", "FERRY_TASK_SLOTS", "0", "ferry: FERRY_TASK_SLOTS is '0', not a whole number of at least 1")]
    [InlineData("server", "FERRY_AUTH_LOCKOUT", "five", "ferry: FERRY_AUTH_LOCKOUT takes COUNT/DURATION, e.g. 5/15m; got 'five'")]
    public async Task A_bad_value_is_one_line_naming_the_variable(string command, string variable, string value, string line)
    {
        string[] args = command == "server" ? ["server", "--listen", $"127.0.0.1:{FerryServer.FreePort()}"] : ["worker"];
        var r = await Cli.RunAsync(args, TempDirs.Create("badenv"), new Dictionary<string, string> { [variable] = value }, TimeSpan.FromMinutes(1));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(line, r.Stderr.Trim());
    }
}
