using Ferry.Functional.Tests.Infrastructure;

namespace Ferry.Functional.Tests.Cli;

/// <summary>
/// `ferry` pointed at a server that answers as the real Rucio does (see <see cref="RucioShapedServer"/>): redirects
/// followed with method and body, credentials kept to the same origin, Rucio's error shapes read, and a Ferry-only
/// verb refused in one line with exit code 2 instead of "HTTP 404".
/// </summary>
public sealed class RucioServerClientTests : IDisposable
{
    private readonly RucioShapedServer _rucio = new();
    private readonly string _home = TempDirs.Create("rucio-client");

    private Task<CliResult> Run(params string[] args) => Infrastructure.Cli.RunAsync(args, _home, new Dictionary<string, string>
    {
        ["FERRY_URL"] = _rucio.Url, ["FERRY_ACCOUNT"] = "root", ["FERRY_USERNAME"] = "ddmlab", ["FERRY_PASSWORD"] = "secret",
    });

    [Fact]
    public async Task Scope_list_follows_the_308_to_the_trailing_slash_route_with_the_token()
    {
        var r = await Run("scope", "list", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("user.root", r.Stdout);
        Assert.Contains(_rucio.Seen, s => s is { Path: "/scopes/owner/", Token: RucioShapedServer.Token });
    }

    [Fact]
    public async Task Rule_add_sends_the_same_POST_and_body_again_after_a_307()
    {
        var r = await Run("rule", "add", "user.root:ds", "--rse-expr", "SITE-A");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("4aeb0a36c78d4ed7a288c15c7a74d6a7", r.Stdout.Trim());
        var first = Assert.Single(_rucio.Seen, s => s.Path == "/rules/");
        var second = Assert.Single(_rucio.Seen, s => s.Path == "/rules/moved");
        Assert.Equal("POST", second.Method);
        Assert.Equal(first.Body, second.Body);
        Assert.Contains("\"rse_expression\":\"SITE-A\"", second.Body);
    }

    [Fact]
    public async Task A_redirect_to_another_origin_gets_no_token_and_no_password()
    {
        var r = await Run("rse", "list");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(_rucio.Seen, s => s.Host == "localhost");
        Assert.All(_rucio.Seen.Where(s => s.Host == "localhost"), s => Assert.Null(s.Token));
        Assert.DoesNotContain(_rucio.Seen, s => s.Host == "localhost" && s.Path == "/auth/userpass");
    }

    [Fact]
    public async Task Rucio_errors_are_printed_with_their_class_on_one_line()
    {
        var r = await Run("did", "show", "user.root:missing");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("ferry: DataIdentifierNotFound: Data identifier 'user.root:missing' not found", r.Stderr.Trim());
    }

    [Theory]
    [InlineData("/ferry/subscriptions", "subscription", "list")]
    [InlineData("/ferry/tasks", "task", "list")]
    [InlineData("/ferry/data", "data", "replicate", "--scope", "user.root", "--rse-expr", "SITE-A")]
    [InlineData("/ferry/data", "data", "find", "--scope", "user.root", "--no-rule-on", "SITE-A")]
    public async Task A_Ferry_only_verb_exits_2_with_one_line_naming_the_missing_API(string api, params string[] args)
    {
        var r = await Run(args);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"ferry {args[0]} {args[1]}: ", line);
        Assert.Contains(api, line);
        Assert.Contains("not a Ferry server", line);
        Assert.DoesNotContain("HTTP", line);
    }

    public void Dispose() => _rucio.Dispose();
}
